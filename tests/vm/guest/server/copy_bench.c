// SPDX-License-Identifier: MIT
/*
 * vp-copy-bench: the copying baseline for vplaned's CPU-per-frame figure
 * (server-bench.sh). It follows one head of a vGPU as an observer (it
 * never takes the ack role, so the guest's pacing is vplaned's) and, for
 * each primary flip it sees, copies the frame from the mapped dma-buf
 * into a shm (memfd) buffer, as a consumer without zero copy would.
 *
 *   vp-copy-bench --uuid UUID [--head H] [--warmup N] [--frames N]
 *                 [--count-only]
 *
 * After --warmup copies it prints "mark <copies> <flip seq>", again after
 * --frames more, then waits for SIGTERM (so the caller can still read its
 * /proc counters) and exits 0: the caller samples CPU counters of every
 * process it measures at the two marks. Exit 1 with a reason on error.
 * With --count-only it only counts the flips (no mapping, no copy): the
 * marks of a window that measures vplaned alone, with no copying load
 * beside it on the guest's CPUs.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <vplane/display.h>
#include <vplane/dmabuf_cache.h>

#define CACHE_CAPACITY 8

struct mapping {
	uint32_t dmabuf_id; /* 0: unused */
	int fd;		    /* borrowed from the cache, pinned */
	void *map;
	size_t size;
};

struct bench {
	struct vp_display *display;
	struct vp_dmabuf_cache *cache;
	uint32_t head;
	struct mapping maps[CACHE_CAPACITY];
	unsigned int next_map;
	void *shm; /* the copy's destination */
	size_t shm_size;
	uint64_t copies;
	uint32_t seq;
	bool count_only;
	bool failed;
};

static void unmap_all(struct bench *b)
{
	unsigned int i;

	for (i = 0; i < CACHE_CAPACITY; i++) {
		struct mapping *m = &b->maps[i];

		if (!m->dmabuf_id)
			continue;
		munmap(m->map, m->size);
		vp_dmabuf_cache_unpin(b->cache, m->fd);
		m->dmabuf_id = 0;
	}
}

static struct mapping *get_mapping(struct bench *b,
				   const struct vplane_display_plane *p)
{
	struct mapping *m;
	unsigned int i;

	for (i = 0; i < CACHE_CAPACITY; i++)
		if (b->maps[i].dmabuf_id == p->dmabuf_id &&
		    b->maps[i].size == p->size)
			return &b->maps[i];
	m = &b->maps[b->next_map++ % CACHE_CAPACITY];
	if (m->dmabuf_id) {
		munmap(m->map, m->size);
		vp_dmabuf_cache_unpin(b->cache, m->fd);
		m->dmabuf_id = 0;
	}
	m->fd = vp_dmabuf_cache_pin(b->cache, p->dmabuf_id);
	if (m->fd < 0)
		return NULL;
	m->map = mmap(NULL, p->size, PROT_READ, MAP_SHARED, m->fd, 0);
	if (m->map == MAP_FAILED) {
		fprintf(stderr, "mmap of dma-buf %u: %s\n", p->dmabuf_id,
			strerror(errno));
		vp_dmabuf_cache_unpin(b->cache, m->fd);
		return NULL;
	}
	m->size = p->size;
	m->dmabuf_id = p->dmabuf_id;
	return m;
}

static bool dma_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags | DMA_BUF_SYNC_READ };

	while (ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) < 0) {
		if (errno != EINTR && errno != EAGAIN) {
			fprintf(stderr, "DMA_BUF_IOCTL_SYNC: %s\n",
				strerror(errno));
			return false;
		}
	}
	return true;
}

static bool copy_frame(struct bench *b)
{
	struct vplane_display_plane p;
	bool sync;
	struct mapping *m;
	size_t len;

	if (!vp_display_query_plane(b->display, b->head,
				    VPLANE_DISPLAY_PLANE_PRIMARY, &p))
		return false;
	if (!(p.flags & VPLANE_DISPLAY_PLANE_ENABLED) || !p.dmabuf_id)
		return true; /* nothing shown: nothing to copy */
	len = (size_t)p.stride * p.height;
	if (len > p.size) {
		fprintf(stderr, "plane %ux%u stride %u exceeds %u bytes\n",
			p.width, p.height, p.stride, p.size);
		return false;
	}
	if (len > b->shm_size) {
		int fd = memfd_create("vp-copy-bench", MFD_CLOEXEC);
		void *shm;

		if (fd < 0 || ftruncate(fd, (off_t)len) < 0) {
			fprintf(stderr, "memfd of %zu bytes: %s\n", len,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			return false;
		}
		shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   0);
		close(fd);
		if (shm == MAP_FAILED) {
			fprintf(stderr, "mmap of shm: %s\n", strerror(errno));
			return false;
		}
		if (b->shm)
			munmap(b->shm, b->shm_size);
		b->shm = shm;
		b->shm_size = len;
	}
	m = get_mapping(b, &p);
	if (!m)
		return false;
	sync = p.flags & VPLANE_DISPLAY_PLANE_NEEDS_SYNC;
	if (sync && !dma_sync(m->fd, DMA_BUF_SYNC_START))
		return false;
	memcpy(b->shm, m->map, len);
	if (sync && !dma_sync(m->fd, DMA_BUF_SYNC_END))
		return false;
	b->copies++;
	return true;
}

static void handle_flip(void *data, const struct vplane_display_event *event)
{
	struct bench *b = data;

	if (event->head != b->head ||
	    event->plane != VPLANE_DISPLAY_PLANE_PRIMARY)
		return;
	b->seq = event->seq;
	if (b->count_only)
		b->copies++;
	else if (!copy_frame(b))
		b->failed = true;
}

static void handle_requery(void *data, const struct vplane_display_event *event)
{
	struct bench *b = data;

	unmap_all(b);
	vp_dmabuf_cache_handle_event(b->cache, event);
}

static void handle_gone(void *data)
{
	struct bench *b = data;

	fprintf(stderr, "the vGPU was removed\n");
	b->failed = true;
}

static const struct vp_display_listener listener = {
	.flip = handle_flip,
	.mode = handle_requery,
	.reset = handle_requery,
	.overflow = handle_requery,
	.gone = handle_gone,
};

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	stop = 1;
}

/* Hold the process (and its /proc counters) until SIGTERM or SIGINT. */
static void wait_for_signal(const sigset_t *unblocked)
{
	while (!stop)
		sigsuspend(unblocked);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vp-copy-bench --uuid UUID [--head H] [--warmup N] "
		   "[--frames N] [--count-only]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "uuid", required_argument, NULL, 'u' },
		{ "head", required_argument, NULL, 'H' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "frames", required_argument, NULL, 'f' },
		{ "count-only", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = handle_signal };
	sigset_t block, old;
	struct bench b = { 0 };
	unsigned long warmup = 30, frames = 300;
	const char *uuid = NULL;
	bool marked = false;
	uint64_t start = 0;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			uuid = optarg;
			break;
		case 'H':
			b.head = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'w':
			warmup = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			frames = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			b.count_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!uuid || optind < argc || !frames) {
		usage(stderr);
		return 2;
	}
	/* blocked except in sigsuspend: a signal cannot slip in between the
	 * check of stop and the wait */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	b.display = vp_display_create_from_uuid(uuid);
	if (!b.display) {
		fprintf(stderr, "cannot open /dev/vplane/%s: %s\n", uuid,
			strerror(errno));
		return 1;
	}
	b.cache = vp_dmabuf_cache_create(CACHE_CAPACITY,
					 vp_display_fetch_dmabuf, b.display);
	if (!b.cache)
		goto out_display;

	while (!b.failed) {
		struct pollfd pfd = { .fd = vp_display_get_fd(b.display),
				      .events = POLLIN };

		int n = poll(&pfd, 1, 5000);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "no flip in 5 s%s%s\n", n ? ": " : "",
				n ? strerror(errno) : "");
			break;
		}
		if (!vp_display_dispatch(b.display, &listener, &b))
			break;
		if (!marked && b.copies >= warmup) {
			printf("mark %llu %u\n", (unsigned long long)b.copies,
			       b.seq);
			fflush(stdout);
			marked = true;
			start = b.copies;
		} else if (marked && b.copies - start >= frames) {
			printf("mark %llu %u\n", (unsigned long long)b.copies,
			       b.seq);
			fflush(stdout);
			wait_for_signal(&old);
			ret = 0;
			break;
		}
	}

	unmap_all(&b);
	if (b.shm)
		munmap(b.shm, b.shm_size);
	vp_dmabuf_cache_destroy(b.cache);
out_display:
	vp_display_destroy(b.display);
	return ret;
}
