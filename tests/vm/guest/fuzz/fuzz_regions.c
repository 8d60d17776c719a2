// SPDX-License-Identifier: MIT
/*
 * vplane-fuzz: region accesses of random width at random and edge offsets
 * of every region (biased toward region ends and register blocks), checked
 * against the region sizes, and BAR0 mmaps inside and outside VRAM.
 */
#include "fuzz.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define IO_MAX	     (1u << 20)
#define MAX_RW_COUNT 0x7ffff000ull /* the VFS clamps counts to this */

static uint8_t *io_buf; /* IO_MAX bytes, then a PROT_NONE page */

static uint8_t *get_io_buf(struct fuzz *f)
{
	if (!io_buf) {
		uint8_t *p =
			mmap(NULL, IO_MAX + FZ_PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		FZ_CHECK(f, p != MAP_FAILED, "mmap io buffer");
		FZ_CHECK(f, !mprotect(p + IO_MAX, FZ_PAGE, PROT_NONE),
			 "mprotect");
		io_buf = p;
	}
	return io_buf;
}

uint32_t fz_mmio_read(struct fuzz *f, uint32_t off)
{
	uint32_t v = 0;

	FZ_CHECK(f, guest_read32(&f->dev, off, &v), "BAR2 read32 0x%x", off);
	return v;
}

void fz_mmio_write(struct fuzz *f, uint32_t off, uint32_t val)
{
	FZ_CHECK(f, guest_write32(&f->dev, off, val), "BAR2 write32 0x%x", off);
}

/* ---- region accesses ---------------------------------------------------- */

static uint64_t pick_count(struct fuzz *f, uint64_t size)
{
	static const unsigned int widths[] = { 1, 2, 4, 8 };
	unsigned int r = fz_below(f, 100);

	if (r < 55)
		return widths[fz_below(f, 4)];
	if (r < 75)
		return 3 + 2 * fz_below(f, 8) + fz_below(f, 2); /* 3..18 */
	if (r < 85)
		return 16 + fz_below(f, 241);
	if (r < 93)
		return 257 + fz_below(f, 4096 - 256);
	if (r < 97)
		return 4097 + fz_below(f, 65536 - 4096);
	if (r < 98)
		return 65537 + fz_below(f, IO_MAX - 65536);
	switch (fz_below(f, 4)) {
	case 0:
		return size + 1;
	case 1:
		return size * 2;
	case 2:
		return 1ull << 31;
	default:
		return 0;
	}
}

/* Offsets in BAR2 where something lives: register blocks and their edges. */
static uint64_t bar2_hotspot(struct fuzz *f)
{
	unsigned int h = fz_below(f, f->nr_heads + 1);
	unsigned int p = fz_below(f, VPLANE_NUM_PLANES + 1);
	static const uint32_t spots[] = {
		0,
		VPLANE_EDID_MAX - 4,
		VPLANE_EDID_MAX,
		VPLANE_MMIO_DISPI,
		VPLANE_MMIO_DISPI + 2 * VPLANE_DISPI_COUNT,
		VPLANE_MMIO_QEXT,
		VPLANE_MMIO_QEXT_BYTEORDER,
		VPLANE_MMIO_GLOBAL,
		VPLANE_REG_INT_STATUS,
		VPLANE_REG_INT_ENABLE,
		VPLANE_REG_MAX_STRIDE + 4,
		VPLANE_MMIO_HEAD(0) - 4,
	};

	switch (fz_below(f, 5)) {
	case 0:
		return spots[fz_below(f, sizeof(spots) / sizeof(spots[0]))];
	case 1:
		return VPLANE_MMIO_DISPI +
		       fz_below(f, 2 * VPLANE_DISPI_COUNT + 4);
	case 2:
		return VPLANE_MMIO_HEAD(h) + 4 * fz_below(f, 0x100 / 4);
	case 3:
		return VPLANE_MMIO_PLANE(h, p) + 4 * fz_below(f, 0x50 / 4);
	default:
		return VPLANE_MMIO_EDID(h) + fz_below(f, VPLANE_EDID_MAX + 8);
	}
}

static uint64_t edid_hotspot(struct fuzz *f)
{
	static const uint64_t spots[] = {
		0,
		4,
		8,
		12,
		16,
		20,
		22,
		23,
		24,
		28,
		VPLANE_EDID_BLOB_OFFSET - 4,
		VPLANE_EDID_BLOB_OFFSET - 1,
		VPLANE_EDID_BLOB_OFFSET,
		VPLANE_EDID_BLOB_OFFSET + 127,
		VPLANE_EDID_BLOB_OFFSET + VPLANE_EDID_MAX - 4,
		VPLANE_EDID_BLOB_OFFSET + VPLANE_EDID_MAX,
		VPLANE_EDID_REGION_SIZE - 4,
	};

	return spots[fz_below(f, sizeof(spots) / sizeof(spots[0]))];
}

static uint64_t pick_offset(struct fuzz *f, uint32_t index, uint64_t size,
			    uint64_t count)
{
	unsigned int r = fz_below(f, 100);

	if (r < 25) { /* the last bytes */
		switch (fz_below(f, 3)) {
		case 0:
			return size - fz_below(f, 17);
		case 1:
			return size - count;
		default:
			return size - count + 1; /* one past */
		}
	}
	if (r < 35) { /* beyond, overflowing */
		switch (fz_below(f, 5)) {
		case 0:
			return size + fz_below(f, 16);
		case 1:
			return (1ull << 40) - fz_below(f, 8);
		case 2:
			return (1ull << 40) - count;
		case 3:
			return ~0ull - fz_below(f, 16);
		default:
			return (uint64_t) - (int64_t)count;
		}
	}
	if (r < 65) {
		if (index == VFIO_PCI_BAR2_REGION_INDEX)
			return bar2_hotspot(f) + fz_below(f, 3) - 1;
		if (index >= VFIO_PCI_NUM_REGIONS && index < f->dev.num_regions)
			return edid_hotspot(f) + fz_below(f, 3) - 1;
		if (index == VFIO_PCI_CONFIG_REGION_INDEX)
			return fz_below(f, 2)
				       ? 0x10 + fz_below(f, 0x18)
				       : VPLANE_PCI_MSI_CAP + fz_below(f, 0x10);
	}
	return fz_below(f, size ? size : 4096);
}

static uint32_t pick_index(struct fuzz *f)
{
	static const uint32_t bad[] = { 1, 3, 4, 5, 6, 7, 8 };
	unsigned int r = fz_below(f, 100);

	if (r < 15)
		return VFIO_PCI_CONFIG_REGION_INDEX;
	if (r < 33)
		return VFIO_PCI_BAR0_REGION_INDEX;
	if (r < 70)
		return VFIO_PCI_BAR2_REGION_INDEX;
	if (r < 88)
		return VPLANE_REGION_EDID(fz_below(f, f->nr_heads));
	switch (fz_below(f, 4)) {
	case 0:
		return bad[fz_below(f, sizeof(bad) / sizeof(bad[0]))];
	case 1:
		return f->dev.num_regions;
	case 2:
		return f->dev.num_regions + 1 + fz_below(f, 16);
	default:
		return 0x7fffff;
	}
}

static void fill_random(struct fuzz *f, uint8_t *buf, uint64_t n)
{
	static const uint32_t vals[] = {
		0,	     0xffffffff, 0x80000000, 0x7fffffff,
		1,	     0x10000,	 0x1000,     VPLANE_DOMAIN_GUEST_RAM,
		FZ_XRGB8888, 0xfff,
	};
	uint64_t i;

	if (n <= 8 && fz_one_in(f, 2)) {
		uint64_t v = vals[fz_below(f, sizeof(vals) / sizeof(vals[0]))];

		memcpy(buf, &v, n);
		return;
	}
	for (i = 0; i < n; i += 8) {
		uint64_t v = fz_rand(f);

		memcpy(buf + i, &v, n - i < 8 ? n - i : 8);
	}
}

void fz_op_region(struct fuzz *f, bool write)
{
	uint32_t index = pick_index(f), real;
	uint64_t size = 0, base, count, off, pos, rsize = 0, roff;
	uint8_t *buf = get_io_buf(f);
	bool expect;
	ssize_t ret;
	int err;

	if (index < f->dev.num_regions) {
		size = f->dev.region[index].size;
		base = f->dev.region[index].offset;
	} else {
		base = (uint64_t)index << 40;
	}
	count = pick_count(f, size);
	off = pick_offset(f, index, size, count);
	pos = base + off;

	/* What the driver should see: the VFS clamps, the offset decodes. */
	count = count > MAX_RW_COUNT ? MAX_RW_COUNT : count;
	real = (uint32_t)(pos >> 40);
	roff = pos & ((1ull << 40) - 1);
	if (real < f->dev.num_regions)
		rsize = f->dev.region[real].size;
	expect = pos < (1ull << 63) && rsize && count <= rsize &&
		 roff <= rsize - count;

	if (write && count)
		fill_random(f, buf, count < IO_MAX ? count : IO_MAX);
	if (write)
		ret = pwrite(f->dev.device, buf, count, (off_t)pos);
	else
		ret = pread(f->dev.device, buf, count, (off_t)pos);
	err = errno;
	fz_trace(f, "%s region %u +0x%llx count %llu: %zd%s%s",
		 write ? "write" : "read", index, (unsigned long long)off,
		 (unsigned long long)count, ret, ret < 0 ? " " : "",
		 ret < 0 ? strerror(err) : "");

	FZ_CHECK(f, ret < 0 || (uint64_t)ret <= count,
		 "returned %zd for a %llu byte access", ret,
		 (unsigned long long)count);
	if (!count)
		return;
	if (!expect) {
		FZ_CHECK(f, ret < 0,
			 "out-of-bounds %s accepted: region %u (size 0x%llx) "
			 "+0x%llx count 0x%llx returned %zd",
			 write ? "write" : "read", real,
			 (unsigned long long)rsize, (unsigned long long)roff,
			 (unsigned long long)count, ret);
		return;
	}
	if (count > IO_MAX)
		return; /* ran into the guard page: EFAULT is fine */
	switch (real) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
	case VFIO_PCI_BAR2_REGION_INDEX:
		FZ_CHECK(f, ret == (ssize_t)count,
			 "in-bounds %s of region %u +0x%llx count %llu: %zd "
			 "(%s)",
			 write ? "write" : "read", real,
			 (unsigned long long)roff, (unsigned long long)count,
			 ret, ret < 0 ? strerror(err) : "short");
		break;
	case VFIO_PCI_BAR0_REGION_INDEX:
		FZ_CHECK(f, ret == (ssize_t)count || (ret < 0 && err == ENOMEM),
			 "in-bounds VRAM %s +0x%llx count %llu: %zd (%s)",
			 write ? "write" : "read", (unsigned long long)roff,
			 (unsigned long long)count, ret,
			 ret < 0 ? strerror(err) : "short");
		break;
	}
}

/* ---- BAR0 mmap ---------------------------------------------------------- */

static sigjmp_buf vram_jmp;
static volatile sig_atomic_t vram_armed;

static void handle_vram_fault(int sig)
{
	if (vram_armed)
		siglongjmp(vram_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Touch [p, p + len) of a VRAM mapping; a fault fails the run. */
static void touch(struct fuzz *f, volatile uint8_t *p, uint64_t len, bool write)
{
	struct sigaction sa = { .sa_handler = handle_vram_fault }, old_bus,
			 old_segv;
	uint64_t i;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(vram_jmp, 1);
	if (sig) {
		vram_armed = 0;
		FZ_FAIL(f, "signal %d touching a valid BAR0 mapping", sig);
	}
	vram_armed = 1;
	for (i = 0; i < len; i += FZ_PAGE / 2) {
		uint8_t v = p[i];

		if (write)
			p[i] = v ^ 0x5a;
	}
	(void)p[len - 1];
	vram_armed = 0;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
}

void fz_op_vram_mmap(struct fuzz *f)
{
	uint64_t npages_vram = f->vram_size / FZ_PAGE, start, n;
	uint64_t bar0 = f->dev.region[VFIO_PCI_BAR0_REGION_INDEX].offset;
	unsigned int r = fz_below(f, 100);
	bool expect = true;
	int flags = MAP_SHARED;
	off_t off;
	void *p;

	if (r < 40 && f->dev.vram) {
		start = fz_below(f, f->vram_size - 64);
		n = 1 + fz_below(f, 64);
		fz_trace(f, "touch VRAM map +0x%llx len %llu",
			 (unsigned long long)start, (unsigned long long)n);
		touch(f, f->dev.vram + start, n, fz_one_in(f, 2));
		return;
	}
	start = fz_below(f, npages_vram);
	n = 1 +
	    fz_below(f, npages_vram - start < 32 ? npages_vram - start : 32);
	off = (off_t)(bar0 + start * FZ_PAGE);
	switch (fz_below(f, 7)) {
	case 0: /* over the end */
		start = npages_vram - fz_below(f, 4);
		n = npages_vram - start + 1 + fz_below(f, 4);
		off = (off_t)(bar0 + start * FZ_PAGE);
		expect = false;
		break;
	case 1:
		flags = MAP_PRIVATE;
		expect = false;
		break;
	case 2:
		off = (off_t)(f->dev.region[VFIO_PCI_BAR2_REGION_INDEX].offset +
			      start % 16 * FZ_PAGE);
		expect = false;
		break;
	case 3:
		off = (off_t)f->dev.region[VPLANE_REGION_EDID(0)].offset;
		n = 1;
		expect = false;
		break;
	case 4:
		off = (off_t)(bar0 + (1ull << 40) - FZ_PAGE);
		expect = false;
		break;
	}
	p = mmap(NULL, n * FZ_PAGE, PROT_READ | PROT_WRITE, flags,
		 f->dev.device, off);
	fz_trace(f, "mmap dev off 0x%llx pages %llu flags %d: %s",
		 (unsigned long long)off, (unsigned long long)n, flags,
		 p == MAP_FAILED ? strerror(errno) : "ok");
	if (!expect) {
		FZ_CHECK(f, p == MAP_FAILED,
			 "bad mmap accepted: off 0x%llx pages %llu flags %d",
			 (unsigned long long)off, (unsigned long long)n, flags);
		return;
	}
	FZ_CHECK(f, p != MAP_FAILED, "valid BAR0 mmap page %llu+%llu: %s",
		 (unsigned long long)start, (unsigned long long)n,
		 strerror(errno));
	touch(f, p, n * FZ_PAGE, fz_one_in(f, 3));
	munmap(p, n * FZ_PAGE);
}
