// SPDX-License-Identifier: MIT
/*
 * vplane-fuzz: guest RAM (memfd chunks mapped and unmapped through type1),
 * the upstream VFIO ioctls with random argsz/flags/ids/pointers, SET_IRQS,
 * reset, and the dma-buf checks: size bound, mmap bounds, a full read that
 * must not fault, and contents (guest RAM page tags, VRAM through BAR0).
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>

/* ---- guest RAM ---------------------------------------------------------- */

/* Page @first.. of the memfd get their tags: magic, index, ..., ~index. */
static void write_tags(struct fuzz *f, uint64_t first, uint64_t n)
{
	uint64_t i;

	for (i = first; i < first + n; i++) {
		uint64_t *w = (uint64_t *)(f->ram + i * FZ_PAGE);

		w[0] = FZ_RAM_MAGIC;
		w[1] = i;
		w[FZ_PAGE / 8 - 1] = ~i;
	}
}

bool fz_ram_init(struct fuzz *f)
{
	void *p;

	f->ram_fd = memfd_create("vplane-fuzz-ram", MFD_CLOEXEC);
	if (f->ram_fd < 0 || ftruncate(f->ram_fd, FZ_RAM_SIZE))
		return false;
	p = mmap(NULL, FZ_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 f->ram_fd, 0);
	if (p == MAP_FAILED)
		return false;
	f->ram = p;
	write_tags(f, 0, FZ_RAM_SIZE / FZ_PAGE);
	p = mmap(NULL, FZ_RAM_CHUNK, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return false;
	f->hole = p;
	p = mmap(NULL, 2 * FZ_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED ||
	    mprotect((uint8_t *)p + FZ_PAGE, FZ_PAGE, PROT_NONE))
		return false;
	f->guard = p;
	f->eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return f->eventfd >= 0;
}

void fz_ram_finish(struct fuzz *f)
{
	munmap(f->ram, FZ_RAM_SIZE);
	munmap(f->hole, FZ_RAM_CHUNK);
	munmap(f->guard, 2 * FZ_PAGE);
	close(f->ram_fd);
	if (f->eventfd >= 0)
		close(f->eventfd);
	f->ram_fd = f->eventfd = -1;
}

static int map_dma(struct fuzz *f, void *vaddr, uint64_t iova, uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = size,
	};

	return ioctl(f->dev.container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

/* Map one chunk of guest RAM (or, sometimes, an unpinnable hole). */
void fz_op_map(struct fuzz *f)
{
	unsigned int c = fz_below(f, FZ_RAM_CHUNKS);
	uint64_t iova = FZ_RAM_IOVA + c * FZ_RAM_CHUNK;
	bool hole = fz_one_in(f, 8);
	int ret;

	if (fz_one_in(f, 10)) { /* malformed: must be refused */
		uint64_t bad_iova = iova + (fz_one_in(f, 2) ? 1 : 0);
		uint64_t bad_size = fz_one_in(f, 2) ? 0 : FZ_RAM_CHUNK - 1;

		if (bad_iova == iova && bad_size == 0 && fz_one_in(f, 2))
			bad_size = ~0ull - 4095;
		ret = map_dma(f, f->ram + c * FZ_RAM_CHUNK, bad_iova, bad_size);
		fz_trace(f, "bad MAP_DMA iova 0x%llx size 0x%llx: %d",
			 (unsigned long long)bad_iova,
			 (unsigned long long)bad_size, ret);
		FZ_CHECK(f, ret < 0, "malformed MAP_DMA accepted");
		return;
	}
	ret = map_dma(f, hole ? f->hole : f->ram + c * FZ_RAM_CHUNK, iova,
		      FZ_RAM_CHUNK);
	fz_trace(f, "MAP_DMA chunk %u%s: %d", c, hole ? " (hole)" : "", ret);
	if (f->chunk_mapped[c] != CHUNK_UNMAPPED) {
		FZ_CHECK(f, ret == -EEXIST, "overlapping MAP_DMA gave %d", ret);
		return;
	}
	FZ_CHECK(f, ret == 0, "MAP_DMA chunk %u: %s", c, strerror(-ret));
	f->chunk_mapped[c] = hole ? CHUNK_HOLE : CHUNK_RAM;
}

/*
 * Unmap a range that starts on a chunk boundary: type1 (v1) removes every
 * mapping whose first IOVA is inside it.  Objects over those chunks must
 * die; dma-bufs exported from them keep their pages, even when the memfd
 * then drops its own (hole punch).
 */
void fz_op_unmap(struct fuzz *f)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	uint64_t expect = 0, start, end;
	unsigned int c;
	int ret;

	start = FZ_RAM_IOVA + fz_below(f, FZ_RAM_CHUNKS) * FZ_RAM_CHUNK;
	switch (fz_below(f, 4)) {
	case 0:
		end = start + FZ_RAM_CHUNK;
		break;
	case 1:
		start = FZ_RAM_IOVA;
		end = start + FZ_RAM_SIZE;
		break;
	default:
		end = start +
		      (1 + fz_below(f, FZ_RAM_SIZE / FZ_PAGE)) * FZ_PAGE;
	}
	for (c = 0; c < FZ_RAM_CHUNKS; c++) {
		uint64_t s = FZ_RAM_IOVA + c * FZ_RAM_CHUNK;

		if (s >= start && s < end && f->chunk_mapped[c])
			expect += FZ_RAM_CHUNK;
	}
	unmap.iova = start;
	unmap.size = end - start;
	ret = ioctl(f->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap);
	fz_trace(f,
		 "UNMAP_DMA 0x%llx+0x%llx: %d, unmapped 0x%llx (expected "
		 "0x%llx)",
		 (unsigned long long)start, (unsigned long long)(end - start),
		 ret, (unsigned long long)unmap.size,
		 (unsigned long long)expect);
	FZ_CHECK(f, ret == 0, "UNMAP_DMA: %s", strerror(errno));
	if (unmap.size != expect) {
		/* our model of type1 was wrong: resynchronise, not a failure */
		printf("# note: UNMAP_DMA unmapped 0x%llx, expected 0x%llx; "
		       "unmapping all\n",
		       (unsigned long long)unmap.size,
		       (unsigned long long)expect);
		start = unmap.iova = FZ_RAM_IOVA;
		unmap.size = FZ_RAM_SIZE;
		end = FZ_RAM_IOVA + FZ_RAM_SIZE;
		FZ_CHECK(f,
			 !ioctl(f->dev.container, VFIO_IOMMU_UNMAP_DMA, &unmap),
			 "UNMAP_DMA all: %s", strerror(errno));
	}
	for (c = 0; c < FZ_RAM_CHUNKS; c++) {
		uint64_t s = FZ_RAM_IOVA + c * FZ_RAM_CHUNK;
		bool was_ram = f->chunk_mapped[c] == CHUNK_RAM;

		if (s < start || s >= end)
			continue;
		f->chunk_mapped[c] = CHUNK_UNMAPPED;
		fz_objs_kill_gpa(f, s, s + FZ_RAM_CHUNK);
		if (was_ram && fz_one_in(f, 3)) {
			/* the guest's memory goes away; tags come back new */
			FZ_CHECK(f,
				 !fallocate(f->ram_fd,
					    FALLOC_FL_PUNCH_HOLE |
						    FALLOC_FL_KEEP_SIZE,
					    c * FZ_RAM_CHUNK, FZ_RAM_CHUNK),
				 "punch hole: %s", strerror(errno));
			write_tags(f, c * FZ_RAM_CHUNK / FZ_PAGE,
				   FZ_RAM_CHUNK / FZ_PAGE);
		}
	}
}

/* ---- dma-bufs ----------------------------------------------------------- */

static sigjmp_buf buf_jmp;
static volatile sig_atomic_t buf_armed;

static void handle_buf_fault(int sig)
{
	if (buf_armed)
		siglongjmp(buf_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void check_mmap_refused(struct fuzz *f, int fd, uint64_t size)
{
	void *p;

	p = mmap(NULL, size + FZ_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	FZ_CHECK(f, p == MAP_FAILED,
		 "dma-buf of 0x%llx mapped with one page more",
		 (unsigned long long)size);
	p = mmap(NULL, FZ_PAGE, PROT_READ, MAP_SHARED, fd, (off_t)size);
	FZ_CHECK(f, p == MAP_FAILED, "dma-buf of 0x%llx mapped at its end",
		 (unsigned long long)size);
	p = mmap(NULL, FZ_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	FZ_CHECK(f, p == MAP_FAILED, "dma-buf mapped MAP_PRIVATE");
	/* read-only: no writable mapping, no write bracket */
	p = mmap(NULL, FZ_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	FZ_CHECK(f, p == MAP_FAILED, "dma-buf mapped writable");
	p = mmap(NULL, FZ_PAGE, PROT_WRITE, MAP_SHARED, fd, 0);
	FZ_CHECK(f, p == MAP_FAILED, "dma-buf mapped write-only");
	FZ_CHECK(f, (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY,
		 "dma-buf fd not O_RDONLY");
	{
		struct dma_buf_sync w = { DMA_BUF_SYNC_START |
					  DMA_BUF_SYNC_WRITE };

		FZ_CHECK(f, ioctl(fd, DMA_BUF_IOCTL_SYNC, &w) < 0,
			 "dma-buf SYNC_WRITE accepted");
	}
}

void fz_dmabuf_check(struct fuzz *f, int fd, const struct fz_obj *obj)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	struct sigaction sa = { .sa_handler = handle_buf_fault }, old_bus,
			 old_segv;
	volatile uint64_t at = 0;
	uint64_t size, sum = 0, i, first;
	const uint64_t *w;
	uint8_t *p;
	int sig;

	size = (uint64_t)lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	fz_trace(f, "dma-buf fd %d id %u size 0x%llx", fd, obj ? obj->id : 0,
		 (unsigned long long)size);
	FZ_CHECK(f, size && size % FZ_PAGE == 0 && size <= fz_owned_bytes(f),
		 "dma-buf size 0x%llx (vGPU owns 0x%llx VRAM + 0x%llx RAM)",
		 (unsigned long long)size, (unsigned long long)f->vram_size,
		 (unsigned long long)FZ_RAM_SIZE);
	if (obj && obj->id)
		FZ_CHECK(f, size == obj->size,
			 "dma-buf of id %u is 0x%llx bytes, its plane 0x%llx",
			 obj->id, (unsigned long long)size,
			 (unsigned long long)obj->size);
	if (fz_one_in(f, 4))
		check_mmap_refused(f, fd, size);
	if (fz_one_in(f, 10)) {
		struct dma_buf_sync bad = { (uint64_t)fz_rand(f) << 8 };

		FZ_CHECK(f, ioctl(fd, DMA_BUF_IOCTL_SYNC, &bad) < 0,
			 "DMA_BUF_IOCTL_SYNC with flags 0x%llx accepted",
			 (unsigned long long)bad.flags);
	}

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	FZ_CHECK(f, p != MAP_FAILED, "mmap dma-buf of 0x%llx: %s",
		 (unsigned long long)size, strerror(errno));
	FZ_CHECK(f, !ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), "SYNC start: %s",
		 strerror(errno));

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(buf_jmp, 1);
	if (sig) {
		buf_armed = 0;
		FZ_FAIL(f,
			"signal %d reading byte 0x%llx of a 0x%llx dma-buf (id "
			"%u)",
			sig, (unsigned long long)at, (unsigned long long)size,
			obj ? obj->id : 0);
	}
	buf_armed = 1;
	w = (const uint64_t *)p;
	for (i = 0; i < size / 8; i++) {
		at = i * 8;
		sum += w[i];
	}
	if (obj && obj->id && obj->domain == VPLANE_DOMAIN_GUEST_RAM) {
		first = (obj->addr - FZ_RAM_IOVA) / FZ_PAGE;
		for (i = 0; i < size / FZ_PAGE; i++) {
			const uint64_t *pg = w + i * FZ_PAGE / 8;

			FZ_CHECK(f,
				 pg[0] == FZ_RAM_MAGIC && pg[1] == first + i &&
					 pg[FZ_PAGE / 8 - 1] == ~(first + i),
				 "guest RAM dma-buf id %u (GPA 0x%llx) page "
				 "%llu holds tag %llx/%llu, expected page %llu",
				 obj->id, (unsigned long long)obj->addr,
				 (unsigned long long)i,
				 (unsigned long long)pg[0],
				 (unsigned long long)pg[1],
				 (unsigned long long)(first + i));
		}
	} else if (obj && obj->id && obj->session == f->session && f->open &&
		   f->dev.vram) {
		FZ_CHECK(f, !memcmp(p, f->dev.vram + obj->addr, size),
			 "VRAM dma-buf id %u differs from BAR0 at 0x%llx",
			 obj->id, (unsigned long long)obj->addr);
	}
	buf_armed = 0;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);

	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	FZ_CHECK(f, !ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), "SYNC end: %s",
		 strerror(errno));
	munmap(p, size);
	f->dmabufs_read++;
	f->bytes_read += size;
	(void)sum;
}

void fz_keep(struct fuzz *f, int fd, const struct fz_obj *obj)
{
	unsigned int i = fz_below(f, FZ_MAX_KEPT);

	if (fz_one_in(f, 2)) {
		close(fd);
		return;
	}
	if (f->kept[i].fd >= 0)
		close(f->kept[i].fd);
	f->kept[i].fd = fd;
	if (obj)
		f->kept[i].obj = *obj;
	else
		memset(&f->kept[i].obj, 0, sizeof(f->kept[i].obj));
}

void fz_close_kept(struct fuzz *f)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_KEPT; i++) {
		if (f->kept[i].fd >= 0)
			close(f->kept[i].fd);
		f->kept[i].fd = -1;
	}
}

void fz_op_read_kept(struct fuzz *f)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_KEPT; i++) {
		if (f->kept[i].fd < 0)
			continue;
		fz_dmabuf_check(f, f->kept[i].fd, &f->kept[i].obj);
		if (fz_one_in(f, 4)) {
			close(f->kept[i].fd);
			f->kept[i].fd = -1;
		}
	}
}

/* ---- ioctls ------------------------------------------------------------- */

/* @len bytes ending @slack bytes before the guard page; 8-byte aligned. */
static void *guarded(struct fuzz *f, size_t len, size_t slack)
{
	uint8_t *p = f->guard + FZ_PAGE - ((len + slack + 7) & ~7ul);

	memset(f->guard, 0, FZ_PAGE);
	return p;
}

static void *bad_pointer(struct fuzz *f)
{
	return fz_one_in(f, 2) ? NULL : f->guard + FZ_PAGE;
}

static uint32_t pick_argsz(struct fuzz *f, uint32_t minsz, uint32_t full)
{
	switch (fz_below(f, 10)) {
	case 0:
		return 0;
	case 1:
		return minsz - 1;
	case 2:
		return minsz;
	case 3:
		return 0xffffffff;
	case 4:
		return full + 64;
	default:
		return full;
	}
}

void fz_op_query(struct fuzz *f)
{
	static const uint32_t flag_set[] = {
		VFIO_GFX_PLANE_TYPE_DMABUF,
		VFIO_GFX_PLANE_TYPE_DMABUF,
		VFIO_GFX_PLANE_TYPE_DMABUF,
		VFIO_GFX_PLANE_TYPE_DMABUF,
		VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF,
		VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION,
		VFIO_GFX_PLANE_TYPE_REGION,
		VFIO_GFX_PLANE_TYPE_PROBE,
		0,
	};
	const uint32_t minsz =
		offsetof(struct vfio_device_gfx_plane_info, dmabuf_id) + 4;
	struct vfio_device_gfx_plane_info *info;
	bool tight = fz_one_in(f, 12), ok;
	uint32_t type, head, flags, argsz;
	unsigned int r = fz_below(f, 100);
	int ret, err, fd;

	if (fz_one_in(f, 30)) {
		ret = ioctl(f->dev.device, VFIO_DEVICE_QUERY_GFX_PLANE,
			    bad_pointer(f));
		FZ_CHECK(f, ret < 0 && errno == EFAULT,
			 "QUERY with a bad pointer: %d", ret);
		return;
	}
	type = r < 45	? FZ_PLANE_PRIMARY
	       : r < 80 ? FZ_PLANE_CURSOR
	       : r < 85 ? FZ_PLANE_OVERLAY
	       : r < 90 ? 3
			: (uint16_t)fz_rand(f);
	r = fz_below(f, 100);
	head = r < 60	? 0
	       : r < 90 ? fz_below(f, f->nr_heads)
	       : r < 95 ? f->nr_heads
			: (uint32_t)fz_rand(f) >> 16;
	flags = fz_one_in(f, 10)
			? (uint32_t)fz_rand(f)
			: flag_set[fz_below(f, sizeof(flag_set) /
						       sizeof(flag_set[0]))];
	argsz = fz_below(f, 4) ? sizeof(*info)
			       : pick_argsz(f, minsz, sizeof(*info));

	/* tight: the struct's last bytes sit in the PROT_NONE page */
	info = guarded(f, sizeof(*info), 0);
	if (tight)
		info = (void *)((uint8_t *)info + 8);
	info->argsz = argsz;
	info->flags = flags;
	info->drm_plane_type = VPLANE_QUERY_HEAD(head) | type;
	ret = ioctl(f->dev.device, VFIO_DEVICE_QUERY_GFX_PLANE, info);
	err = errno;
	fz_trace(f, "QUERY argsz %u flags 0x%x type 0x%x%s: %d %s id %u", argsz,
		 flags, VPLANE_QUERY_HEAD(head) | type, tight ? " (tight)" : "",
		 ret, ret ? strerror(err) : "", ret ? 0 : info->dmabuf_id);
	if (tight) {
		FZ_CHECK(f, ret < 0,
			 "QUERY reaching into a PROT_NONE page succeeded");
		return;
	}
	if (flags & VFIO_GFX_PLANE_TYPE_PROBE)
		ok = flags ==
		     (VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF);
	else
		ok = flags == VFIO_GFX_PLANE_TYPE_DMABUF &&
		     (type == FZ_PLANE_PRIMARY || type == FZ_PLANE_CURSOR) &&
		     head < f->nr_heads;
	ok = ok && argsz >= minsz;
	FZ_CHECK(f, ok == (ret == 0),
		 "QUERY argsz %u flags 0x%x type 0x%x: %s, expected %s", argsz,
		 flags, VPLANE_QUERY_HEAD(head) | type,
		 ret ? strerror(err) : "ok", ok ? "success" : "an error");
	if (ret || (flags & VFIO_GFX_PLANE_TYPE_PROBE) || !info->dmabuf_id)
		return;
	FZ_CHECK(f, !fz_id_dead(f, info->dmabuf_id),
		 "QUERY answered id %u, whose object was destroyed",
		 info->dmabuf_id);
	FZ_CHECK(f,
		 info->size && info->size % FZ_PAGE == 0 &&
			 info->size <= fz_owned_bytes(f) &&
			 (uint64_t)info->stride * info->height <= info->size &&
			 info->width && info->height &&
			 info->stride >= info->width * 2,
		 "QUERY id %u: %ux%u stride %u size 0x%llx (owned 0x%llx)",
		 info->dmabuf_id, info->width, info->height, info->stride,
		 (unsigned long long)info->size,
		 (unsigned long long)fz_owned_bytes(f));
	if (fz_one_in(f, 2))
		return;
	fd = ioctl(f->dev.device, VFIO_DEVICE_GET_GFX_DMABUF, &info->dmabuf_id);
	if (fd < 0) {
		FZ_CHECK(f, errno == ENOSPC, "GET right after QUERY id %u: %s",
			 info->dmabuf_id, strerror(errno));
		return;
	}
	{
		const struct fz_obj *known = fz_obj_find(f, info->dmabuf_id);
		struct fz_obj obj = { .id = 0 };

		if (known)
			obj = *known;
		FZ_CHECK(f, !known || known->size == info->size,
			 "QUERY id %u size 0x%llx, known as 0x%llx",
			 info->dmabuf_id, (unsigned long long)info->size,
			 (unsigned long long)known->size);
		fz_dmabuf_check(f, fd, known ? &obj : NULL);
		fz_keep(f, fd, known ? &obj : NULL);
	}
}

void fz_op_get_dmabuf(struct fuzz *f)
{
	const struct fz_obj *known;
	struct fz_obj obj = { .id = 0 };
	uint32_t id;
	int fd;

	if (fz_one_in(f, 20)) {
		fd = ioctl(f->dev.device, VFIO_DEVICE_GET_GFX_DMABUF,
			   bad_pointer(f));
		FZ_CHECK(f, fd < 0 && errno == EFAULT,
			 "GET_GFX_DMABUF with a bad pointer: %d", fd);
		return;
	}
	id = fz_pick_id(f);
	fd = ioctl(f->dev.device, VFIO_DEVICE_GET_GFX_DMABUF, &id);
	fz_trace(f, "GET id %u: %d %s", id, fd, fd < 0 ? strerror(errno) : "");
	if (fd < 0) {
		FZ_CHECK(f, errno == ENOENT || errno == ENOSPC, "GET id %u: %s",
			 id, strerror(errno));
		return;
	}
	FZ_CHECK(f, id && !fz_id_dead(f, id),
		 "GET of id %u succeeded, but that object was destroyed", id);
	known = fz_obj_find(f, id);
	if (known)
		obj = *known;
	fz_dmabuf_check(f, fd, known ? &obj : NULL);
	fz_keep(f, fd, known ? &obj : NULL);
}

static void region_info(struct fuzz *f)
{
	const uint32_t minsz = offsetofend(struct vfio_region_info, offset);
	const uint32_t full = sizeof(struct vfio_region_info) +
			      sizeof(struct vfio_region_info_cap_type);
	uint32_t index = fz_below(f, 8) ? fz_below(f, f->dev.num_regions + 3)
					: (uint32_t)fz_rand(f);
	uint32_t argsz = pick_argsz(f, minsz, full);
	bool tight = fz_one_in(f, 8), edid, ok;
	struct vfio_region_info *info;
	int ret, err;

	if (fz_one_in(f, 4))
		argsz = sizeof(*info);
	info = guarded(f, tight ? sizeof(*info) : full, 0);
	info->argsz = argsz;
	info->index = index;
	ret = ioctl(f->dev.device, VFIO_DEVICE_GET_REGION_INFO, info);
	err = errno;
	fz_trace(f, "REGION_INFO index %u argsz %u%s: %d %s", index, argsz,
		 tight ? " (tight)" : "", ret, ret ? strerror(err) : "");
	edid = index >= VFIO_PCI_NUM_REGIONS && index < f->dev.num_regions;
	ok = index < f->dev.num_regions && argsz >= minsz;
	if (tight && ok && edid && argsz >= full) {
		FZ_CHECK(f, ret < 0 && err == EFAULT,
			 "capability written into a PROT_NONE page: %d", ret);
		return;
	}
	FZ_CHECK(f, ok == (ret == 0),
		 "REGION_INFO index %u argsz %u: %s, expected %s", index, argsz,
		 ret ? strerror(err) : "ok", ok ? "success" : "an error");
	if (ret)
		return;
	FZ_CHECK(f,
		 info->offset == f->dev.region[index].offset &&
			 info->size == f->dev.region[index].size,
		 "region %u moved: offset 0x%llx size 0x%llx", index,
		 (unsigned long long)info->offset,
		 (unsigned long long)info->size);
	if (!edid)
		return;
	FZ_CHECK(f, info->flags & VFIO_REGION_INFO_FLAG_CAPS,
		 "EDID region %u without CAPS flag", index);
	if (argsz < full) {
		FZ_CHECK(f, info->argsz == full, "argsz %u asks for %u", argsz,
			 info->argsz);
	} else {
		struct vfio_region_info_cap_type *cap =
			(void *)((uint8_t *)info + info->cap_offset);

		FZ_CHECK(f,
			 info->cap_offset == sizeof(*info) &&
				 cap->header.id == VFIO_REGION_INFO_CAP_TYPE &&
				 cap->type == VFIO_REGION_TYPE_GFX &&
				 cap->subtype == VFIO_REGION_SUBTYPE_GFX_EDID,
			 "EDID region %u capability at %u: id %u type %u/%u",
			 index, info->cap_offset, cap->header.id, cap->type,
			 cap->subtype);
	}
}

void fz_op_info_ioctl(struct fuzz *f)
{
	const uint32_t irq_minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_device_info *dinfo;
	struct vfio_irq_info *iinfo;
	uint32_t argsz, index;
	int ret, err;
	bool ok;

	switch (fz_below(f, 6)) {
	case 0:
	case 1:
		region_info(f);
		return;
	case 2:
		index = fz_below(f, 4) ? fz_below(f, VFIO_PCI_NUM_IRQS + 2)
				       : (uint32_t)fz_rand(f);
		argsz = fz_below(f, 2)
				? sizeof(*iinfo)
				: pick_argsz(f, irq_minsz, sizeof(*iinfo));
		iinfo = guarded(f, sizeof(*iinfo), 0);
		iinfo->argsz = argsz;
		iinfo->index = index;
		ret = ioctl(f->dev.device, VFIO_DEVICE_GET_IRQ_INFO, iinfo);
		err = errno;
		fz_trace(f, "IRQ_INFO index %u argsz %u: %d", index, argsz,
			 ret);
		ok = argsz >= irq_minsz && index < VFIO_PCI_NUM_IRQS;
		FZ_CHECK(f, ok == (ret == 0), "IRQ_INFO index %u argsz %u: %s",
			 index, argsz, ret ? strerror(err) : "ok");
		if (!ret && index == VFIO_PCI_MSI_IRQ_INDEX)
			FZ_CHECK(f,
				 iinfo->count == 1 &&
					 (iinfo->flags & VFIO_IRQ_INFO_EVENTFD),
				 "MSI irq info count %u flags 0x%x",
				 iinfo->count, iinfo->flags);
		return;
	case 3:
		argsz = pick_argsz(f, 16, sizeof(*dinfo));
		dinfo = guarded(f, sizeof(*dinfo), 0);
		dinfo->argsz = argsz;
		ret = ioctl(f->dev.device, VFIO_DEVICE_GET_INFO, dinfo);
		fz_trace(f, "GET_INFO argsz %u: %d", argsz, ret);
		FZ_CHECK(f, (argsz >= 16) == (ret == 0),
			 "GET_INFO argsz %u: %d", argsz, ret);
		if (!ret)
			FZ_CHECK(f,
				 dinfo->num_regions == f->dev.num_regions &&
					 dinfo->num_irqs == VFIO_PCI_NUM_IRQS,
				 "GET_INFO: %u regions %u irqs",
				 dinfo->num_regions, dinfo->num_irqs);
		return;
	case 4: {
		static const unsigned long cmds[] = {
			VFIO_DEVICE_GET_INFO,
			VFIO_DEVICE_GET_REGION_INFO,
			VFIO_DEVICE_GET_IRQ_INFO,
			VFIO_DEVICE_SET_IRQS,
			VFIO_DEVICE_QUERY_GFX_PLANE,
		};
		unsigned long cmd = cmds[fz_below(f, 5)];

		ret = ioctl(f->dev.device, cmd, bad_pointer(f));
		fz_trace(f, "ioctl 0x%lx with a bad pointer: %d", cmd, ret);
		FZ_CHECK(f, ret < 0 && errno == EFAULT,
			 "ioctl 0x%lx with a bad pointer: %d", cmd, ret);
		return;
	}
	default:
		index = 40 + fz_below(f, 40);
		ret = ioctl(f->dev.device, _IO(VFIO_TYPE, VFIO_BASE + index),
			    f->guard);
		fz_trace(f, "unknown ioctl VFIO_BASE+%u: %d", index, ret);
		FZ_CHECK(f, ret < 0, "unknown ioctl VFIO_BASE+%u succeeded",
			 index);
	}
}

/* With our eventfd as trigger, a flip on a stopped head must signal it. */
static void check_irq_delivery(struct fuzz *f)
{
	uint64_t n = 0;
	ssize_t got;

	fz_mmio_write(f, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_CTRL, 0);
	fz_mmio_write(f, VPLANE_REG_INT_STATUS, ~0u);
	fz_mmio_write(f, VPLANE_REG_INT_ENABLE, VPLANE_INT_FLIP_DONE(0));
	while (read(f->eventfd, &n, 8) == 8)
		;
	fz_mmio_write(f, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP,
		      VPLANE_FLIP_PLANE(VPLANE_PLANE_CURSOR));
	got = read(f->eventfd, &n, 8);
	fz_trace(f, "flip-done irq: %zd, count %llu", got,
		 (unsigned long long)n);
	FZ_CHECK(f, got == 8 && n >= 1,
		 "flip on a stopped head with FLIP_DONE enabled: no MSI");
	f->irqs_seen += n;
	FZ_CHECK(f,
		 fz_mmio_read(f, VPLANE_REG_INT_STATUS) &
			 VPLANE_INT_FLIP_DONE(0),
		 "FLIP_DONE(0) not in INT_STATUS");
}

void fz_op_set_irqs(struct fuzz *f)
{
	const uint32_t minsz = offsetofend(struct vfio_irq_set, count);
	static const uint32_t types[] = {
		VFIO_IRQ_SET_DATA_EVENTFD,
		VFIO_IRQ_SET_DATA_EVENTFD,
		VFIO_IRQ_SET_DATA_NONE,
		VFIO_IRQ_SET_DATA_BOOL,
	};
	static const uint32_t actions[] = {
		VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_MASK,
		VFIO_IRQ_SET_ACTION_UNMASK,
	};
	struct vfio_irq_set *set;
	unsigned int r = fz_below(f, 100);
	uint32_t index, flags, count, start, argsz;
	int32_t data[2];
	bool good;
	int ret;

	if (f->trigger_ours && fz_one_in(f, 3)) {
		check_irq_delivery(f);
		return;
	}
	index = r < 65	 ? VFIO_PCI_MSI_IRQ_INDEX
		: r < 90 ? fz_below(f, VFIO_PCI_NUM_IRQS + 1)
			 : (uint32_t)fz_rand(f);
	flags = fz_one_in(f, 10)
			? (uint32_t)fz_rand(f)
			: types[fz_below(f, 4)] | actions[fz_below(f, 5)];
	r = fz_below(f, 100);
	count = r < 65 ? 1 : r < 85 ? 0 : r < 92 ? 2 : (uint32_t)fz_rand(f);
	start = fz_below(f, 8) ? 0 : fz_one_in(f, 2) ? 1 : (uint32_t)fz_rand(f);
	r = fz_below(f, 100);
	data[0] = r < 55   ? f->eventfd
		  : r < 70 ? -1
		  : r < 82 ? f->ram_fd
		  : r < 90 ? 1000
			   : (int32_t)fz_rand(f);
	data[1] = f->eventfd;
	argsz = fz_below(f, 8) ? minsz + 4 * (count < 2 ? count : 2)
			       : pick_argsz(f, minsz, minsz + 8);

	set = guarded(f, minsz + 8, 0);
	set->argsz = argsz;
	set->flags = flags;
	set->index = index;
	set->start = start;
	set->count = count;
	memcpy(set->data, data, sizeof(data));
	ret = ioctl(f->dev.device, VFIO_DEVICE_SET_IRQS, set);
	fz_trace(f,
		 "SET_IRQS index %u flags 0x%x start %u count %u fd %d argsz "
		 "%u: %d %s",
		 index, flags, start, count, data[0], argsz, ret,
		 ret ? strerror(errno) : "");
	good = index == VFIO_PCI_MSI_IRQ_INDEX && start == 0 && count == 1 &&
	       flags == (VFIO_IRQ_SET_DATA_EVENTFD |
			 VFIO_IRQ_SET_ACTION_TRIGGER) &&
	       argsz >= minsz + 4 && argsz != 0xffffffff;
	if (good && data[0] == f->eventfd)
		FZ_CHECK(f, ret == 0, "setting the MSI eventfd: %s",
			 strerror(errno));
	if (index != VFIO_PCI_MSI_IRQ_INDEX && index != VFIO_PCI_REQ_IRQ_INDEX)
		FZ_CHECK(f, ret < 0, "SET_IRQS on index %u accepted", index);
	/* the model tracks the MSI trigger; the request IRQ is separate */
	if (!ret && index == VFIO_PCI_MSI_IRQ_INDEX &&
	    (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_EVENTFD)
		f->trigger_ours = count == 1 && data[0] == f->eventfd;
	if (!ret && index == VFIO_PCI_MSI_IRQ_INDEX &&
	    (flags & VFIO_IRQ_SET_DATA_TYPE_MASK) == VFIO_IRQ_SET_DATA_NONE &&
	    count == 0)
		f->trigger_ours = false;
	if (f->trigger_ours && fz_one_in(f, 20)) {
		/* the driver keeps its own reference on the eventfd */
		close(f->eventfd);
		f->eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		FZ_CHECK(f, f->eventfd >= 0, "eventfd: %s", strerror(errno));
		f->trigger_ours = false;
	}
}

void fz_op_reset(struct fuzz *f)
{
	unsigned int h, p;

	FZ_CHECK(f, !ioctl(f->dev.device, VFIO_DEVICE_RESET), "RESET: %s",
		 strerror(errno));
	fz_trace(f, "reset");
	fz_objs_kill_all(f);
	for (h = 0; h < f->nr_heads; h++) {
		for (p = 0; p < VPLANE_NUM_PLANES; p++) {
			uint32_t base = VPLANE_MMIO_PLANE(h, p);
			uint32_t st =
				fz_mmio_read(f, base + VPLANE_PLANE_STATUS);
			uint32_t id =
				fz_mmio_read(f, base + VPLANE_PLANE_ACTIVE_ID);

			FZ_CHECK(f, st == VPLANE_PLANE_STATUS_DISABLED && !id,
				 "after reset h%u p%u status %u id %u", h, p,
				 st, id);
		}
	}
	FZ_CHECK(f,
		 !fz_mmio_read(f, VPLANE_REG_INT_STATUS) &&
			 !fz_mmio_read(f, VPLANE_REG_INT_ENABLE),
		 "interrupts survive reset");
}
