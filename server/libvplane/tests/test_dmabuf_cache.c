// SPDX-License-Identifier: MIT
/*
 * dma-buf cache: LRU order, bound, pinning, flush, and fd ownership. The
 * fetch callback hands out memfds named "id-<n>", so a test can tell which
 * buffer an fd number refers to and that evicted fds are really closed.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "vplane/dmabuf_cache.h"

struct fetcher {
	unsigned int calls;
	uint32_t fail_id; /* fetch of this id fails with EIO */
};

static int fetch_memfd(void *data, uint32_t id)
{
	struct fetcher *f = data;
	char name[32];

	f->calls++;
	if (id == f->fail_id) {
		errno = EIO;
		return -1;
	}
	snprintf(name, sizeof(name), "id-%u", id);
	return memfd_create(name, MFD_CLOEXEC);
}

/* True if @fd is open and is the memfd fetched for @id. */
static bool fd_is_id(int fd, uint32_t id)
{
	char path[64], target[PATH_MAX], want[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	snprintf(want, sizeof(want), "/memfd:id-%u (deleted)", id);
	return strcmp(target, want) == 0;
}

/* Open memfds of this process that a fetch created. */
static int count_memfds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char path[300], target[PATH_MAX];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = 0;
		if (strncmp(target, "/memfd:id-", 10) == 0)
			n++;
	}
	closedir(dir);
	return n;
}

static struct vp_dmabuf_cache_stats stats(struct vp_dmabuf_cache *cache)
{
	struct vp_dmabuf_cache_stats s;

	vp_dmabuf_cache_get_stats(cache, &s);
	return s;
}

static void test_create_args(void)
{
	struct fetcher f = { 0 };

	errno = 0;
	CHECK(!vp_dmabuf_cache_create(0, fetch_memfd, &f));
	CHECK(errno == EINVAL);
	errno = 0;
	CHECK(!vp_dmabuf_cache_create(4, NULL, &f));
	CHECK(errno == EINVAL);
	vp_dmabuf_cache_destroy(NULL);
}

static void test_hit_miss(void)
{
	struct fetcher f = { 0 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(4, fetch_memfd, &f);
	int fd1, fd1b;

	CHECK(cache);
	if (!cache)
		return;
	fd1 = vp_dmabuf_cache_lookup(cache, 1);
	CHECK(fd1 >= 0 && fd_is_id(fd1, 1) && fd_is_cloexec(fd1));
	fd1b = vp_dmabuf_cache_lookup(cache, 1);
	CHECK(fd1b == fd1);
	CHECK(f.calls == 1);
	CHECK(stats(cache).hits == 1 && stats(cache).misses == 1);
	CHECK(stats(cache).entries == 1);
	CHECK(vp_dmabuf_cache_contains(cache, 1));
	CHECK(!vp_dmabuf_cache_contains(cache, 2));
	CHECK(f.calls == 1); /* contains never fetches */
	vp_dmabuf_cache_destroy(cache);
	CHECK(!fd_is_open(fd1));
}

static void test_lru_order(void)
{
	struct fetcher f = { 0 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(3, fetch_memfd, &f);
	int fd[6];

	CHECK(cache);
	if (!cache)
		return;
	fd[1] = vp_dmabuf_cache_lookup(cache, 1);
	fd[2] = vp_dmabuf_cache_lookup(cache, 2);
	fd[3] = vp_dmabuf_cache_lookup(cache, 3);
	CHECK(vp_dmabuf_cache_lookup(cache, 1) == fd[1]); /* 1 is newest */

	fd[4] = vp_dmabuf_cache_lookup(cache, 4); /* evicts 2 */
	CHECK(fd[4] >= 0 && fd_is_id(fd[4], 4));
	CHECK(!fd_is_open(fd[2]));
	CHECK(!vp_dmabuf_cache_contains(cache, 2));
	CHECK(fd_is_id(fd[1], 1) && fd_is_id(fd[3], 3));
	CHECK(stats(cache).evictions == 1 && stats(cache).entries == 3);

	fd[5] = vp_dmabuf_cache_lookup(cache, 5); /* evicts 3 */
	CHECK(fd[5] >= 0 && fd_is_id(fd[5], 5));
	CHECK(!fd_is_open(fd[3]));
	CHECK(vp_dmabuf_cache_contains(cache, 1));
	CHECK(vp_dmabuf_cache_contains(cache, 4));
	CHECK(!vp_dmabuf_cache_contains(cache, 3));
	CHECK(stats(cache).evictions == 2);

	vp_dmabuf_cache_destroy(cache);
	CHECK(!fd_is_open(fd[1]) && !fd_is_open(fd[4]) && !fd_is_open(fd[5]));
	CHECK(count_memfds() == 0);
}

static void test_bound(void)
{
	struct fetcher f = { 0 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(2, fetch_memfd, &f);
	uint32_t id;
	bool ok = true;

	CHECK(cache);
	if (!cache)
		return;
	for (id = 1; id <= 100; id++) {
		if (vp_dmabuf_cache_lookup(cache, id % 7 + 1) < 0 ||
		    count_memfds() > 2 || stats(cache).entries > 2)
			ok = false;
	}
	CHECK(ok);
	CHECK(count_memfds() == 2);
	CHECK(stats(cache).hits + stats(cache).misses == 100);
	CHECK(f.calls == stats(cache).misses);
	vp_dmabuf_cache_destroy(cache);
	CHECK(count_memfds() == 0);
}

static void test_pinning(void)
{
	struct fetcher f = { 0 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(2, fetch_memfd, &f);
	int fd1, fd2, fd3, fd4;
	unsigned int calls;

	CHECK(cache);
	if (!cache)
		return;
	fd1 = vp_dmabuf_cache_pin(cache, 1);
	CHECK(fd1 >= 0 && fd_is_id(fd1, 1));
	fd2 = vp_dmabuf_cache_lookup(cache, 2);
	CHECK(vp_dmabuf_cache_lookup(cache, 2) == fd2); /* 1 is LRU now */
	fd3 = vp_dmabuf_cache_lookup(cache, 3);		/* skips pinned 1 */
	CHECK(fd3 >= 0 && fd_is_id(fd3, 3));
	CHECK(fd_is_id(fd1, 1));
	CHECK(!fd_is_open(fd2));
	CHECK(stats(cache).pinned == 1);

	/* everything pinned: a miss fails without fetching */
	CHECK(vp_dmabuf_cache_pin(cache, 3) == fd3);
	calls = f.calls;
	errno = 0;
	CHECK(vp_dmabuf_cache_lookup(cache, 4) == -1);
	CHECK(errno == ENOSPC);
	CHECK(f.calls == calls);
	CHECK(stats(cache).entries == 2);
	/* hits on pinned entries still work */
	CHECK(vp_dmabuf_cache_lookup(cache, 1) == fd1);

	/* pins nest */
	CHECK(vp_dmabuf_cache_pin(cache, 1) == fd1);
	CHECK(vp_dmabuf_cache_unpin(cache, fd1));
	CHECK(vp_dmabuf_cache_lookup(cache, 4) == -1);
	CHECK(vp_dmabuf_cache_unpin(cache, fd1));
	CHECK(stats(cache).pinned == 1);

	fd4 = vp_dmabuf_cache_lookup(cache, 4); /* evicts 1, not 3 */
	CHECK(fd4 >= 0 && fd_is_id(fd4, 4));
	CHECK(!fd_is_open(fd1));
	CHECK(fd_is_id(fd3, 3));

	/* unpin of an fd that is not pinned */
	errno = 0;
	CHECK(!vp_dmabuf_cache_unpin(cache, fd4));
	CHECK(errno == EINVAL);
	CHECK(!vp_dmabuf_cache_unpin(cache, 12345));

	/* destroy closes pinned fds too */
	vp_dmabuf_cache_destroy(cache);
	CHECK(!fd_is_open(fd3) && !fd_is_open(fd4));
	CHECK(count_memfds() == 0);
}

static void test_flush(void)
{
	struct fetcher f = { 0 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(3, fetch_memfd, &f);
	int fd1, fd2, fd2_new;

	CHECK(cache);
	if (!cache)
		return;
	fd1 = vp_dmabuf_cache_lookup(cache, 1);
	fd2 = vp_dmabuf_cache_pin(cache, 2);
	vp_dmabuf_cache_flush(cache);
	CHECK(!fd_is_open(fd1));
	CHECK(fd_is_id(fd2, 2)); /* pinned: detached, still open */
	CHECK(!vp_dmabuf_cache_contains(cache, 1));
	CHECK(!vp_dmabuf_cache_contains(cache, 2));
	CHECK(stats(cache).entries == 1 && stats(cache).flushes == 1);

	/* id 2 may name another buffer now: fetched again */
	fd2_new = vp_dmabuf_cache_lookup(cache, 2);
	CHECK(fd2_new >= 0 && fd2_new != fd2 && fd_is_id(fd2_new, 2));
	CHECK(f.calls == 3);
	CHECK(stats(cache).entries == 2); /* detached one counts */

	/* the last unpin closes the detached fd, not the new one */
	CHECK(vp_dmabuf_cache_unpin(cache, fd2));
	CHECK(!fd_is_open(fd2));
	CHECK(fd_is_id(fd2_new, 2));
	CHECK(stats(cache).entries == 1 && stats(cache).pinned == 0);

	vp_dmabuf_cache_destroy(cache);
	CHECK(count_memfds() == 0);
}

static void test_detached_counts_toward_bound(void)
{
	struct fetcher f = { 0 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(1, fetch_memfd, &f);
	int fd1;

	CHECK(cache);
	if (!cache)
		return;
	fd1 = vp_dmabuf_cache_pin(cache, 1);
	vp_dmabuf_cache_flush(cache);
	errno = 0;
	CHECK(vp_dmabuf_cache_lookup(cache, 1) == -1 && errno == ENOSPC);
	CHECK(count_memfds() == 1);
	CHECK(vp_dmabuf_cache_unpin(cache, fd1));
	CHECK(count_memfds() == 0);
	CHECK(vp_dmabuf_cache_lookup(cache, 1) >= 0);
	vp_dmabuf_cache_destroy(cache);
	CHECK(count_memfds() == 0);
}

static void test_handle_event(void)
{
	static const struct {
		uint32_t type;
		bool flushes;
	} cases[] = {
		{ VPLANE_EVENT_FLIP, false },
		{ VPLANE_EVENT_CURSOR_MOVE, false },
		{ VPLANE_EVENT_MODE, true },
		{ VPLANE_EVENT_RESET, true },
		{ VPLANE_EVENT_OVERFLOW, true },
		{ 99, false },
	};
	struct fetcher f = { 0 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(2, fetch_memfd, &f);
	size_t i;

	CHECK(cache);
	if (!cache)
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vplane_display_event ev = { .type = cases[i].type };
		int fd = vp_dmabuf_cache_lookup(cache, 7);

		CHECK(vp_dmabuf_cache_handle_event(cache, &ev) ==
		      cases[i].flushes);
		CHECK(vp_dmabuf_cache_contains(cache, 7) == !cases[i].flushes);
		CHECK(fd_is_open(fd) == !cases[i].flushes);
	}
	vp_dmabuf_cache_destroy(cache);
}

static void test_dup_ownership(void)
{
	struct fetcher f = { 0 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(1, fetch_memfd, &f);
	int owned, borrowed;

	CHECK(cache);
	if (!cache)
		return;
	owned = vp_dmabuf_cache_dup(cache, 5);
	borrowed = vp_dmabuf_cache_lookup(cache, 5);
	CHECK(owned >= 0 && borrowed >= 0 && owned != borrowed);
	CHECK(fd_is_id(owned, 5) && fd_is_cloexec(owned));
	CHECK(f.calls == 1);
	/* evicting the entry closes the cache's fd, not the caller's */
	CHECK(vp_dmabuf_cache_lookup(cache, 6) >= 0);
	CHECK(!fd_is_open(borrowed));
	CHECK(fd_is_id(owned, 5));
	vp_dmabuf_cache_destroy(cache);
	CHECK(fd_is_id(owned, 5));
	CHECK(close(owned) == 0);
	CHECK(count_memfds() == 0);
}

static void test_fetch_failure(void)
{
	struct fetcher f = { .fail_id = 666 };
	struct vp_dmabuf_cache *cache =
		vp_dmabuf_cache_create(2, fetch_memfd, &f);
	int fd1, fd2;

	CHECK(cache);
	if (!cache)
		return;
	fd1 = vp_dmabuf_cache_lookup(cache, 1);
	fd2 = vp_dmabuf_cache_lookup(cache, 2);
	errno = 0;
	CHECK(vp_dmabuf_cache_lookup(cache, 666) == -1 && errno == EIO);
	CHECK(vp_dmabuf_cache_dup(cache, 666) == -1);
	CHECK(vp_dmabuf_cache_pin(cache, 666) == -1);
	/* a failed fetch evicts nothing */
	CHECK(fd_is_id(fd1, 1) && fd_is_id(fd2, 2));
	CHECK(stats(cache).entries == 2 && stats(cache).evictions == 0);
	CHECK(stats(cache).fetch_failures == 3 && stats(cache).pinned == 0);
	vp_dmabuf_cache_destroy(cache);
	CHECK(count_memfds() == 0);
}

int main(void)
{
	test_create_args();
	test_hit_miss();
	test_lru_order();
	test_bound();
	test_pinning();
	test_flush();
	test_detached_counts_toward_bound();
	test_handle_event();
	test_dup_ownership();
	test_fetch_failure();
	return check_result("dmabuf_cache");
}
