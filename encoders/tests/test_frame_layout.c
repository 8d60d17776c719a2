// SPDX-License-Identifier: MIT
/*
 * enc_plane_layout_check(), the one bounds check of every importer, over
 * hostile geometry: each rule at its edge (stride one byte short of a
 * row, the last row one byte past the end, offsets and strides that
 * overflow 32 and 64 bits, dimensions past the bound, unknown formats),
 * and enc_fd_size() on memfds of chosen sizes (memfds stand in for
 * dma-bufs on the host: lseek SEEK_END answers the size for both).
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "../../server/libvplane/tests/check.h"
#include "frame_layout.h"

static bool fits(uint32_t format, uint32_t w, uint32_t h, uint32_t stride,
		 uint64_t offset, uint64_t size)
{
	const struct enc_plane_layout l = { format, w, h, stride, offset };
	char why[160] = "";
	bool ok = enc_plane_layout_check(&l, size, why, sizeof(why));

	if (!ok)
		fprintf(stderr,
			"refused %ux%u stride %u offset %llu in %llu: "
			"%s\n",
			w, h, stride, (unsigned long long)offset,
			(unsigned long long)size, why);
	CHECK(ok || why[0]);
	return ok;
}

int main(void)
{
	const uint32_t X = DRM_FORMAT_XRGB8888;
	uint64_t exact = 1000ull * 599 + 800 * 4;

	CHECK(enc_format_bpp(DRM_FORMAT_ARGB8888) == 4);
	CHECK(enc_format_bpp(DRM_FORMAT_RGB565) == 2);
	CHECK(enc_format_bpp(DRM_FORMAT_NV12) == 0);
	CHECK(enc_format_bpp(0) == 0);

	/* exact fits */
	CHECK(fits(X, 800, 600, 3200, 0, 3200ull * 600));
	CHECK(fits(X, 800, 600, 1000 * 4, 0, 4000ull * 599 + 3200));
	CHECK(fits(X, 800, 600, 1000, 0, exact) == false); /* stride < row */
	CHECK(fits(DRM_FORMAT_RGB565, 1, 1, 2, 0, 2));
	CHECK(fits(X, 1, 1, 4, 4096, 4100));
	CHECK(fits(X, ENC_PLANE_MAX_DIM, 1, ENC_PLANE_MAX_DIM * 4, 0,
		   ENC_PLANE_MAX_DIM * 4));

	/* each rule one step past its edge */
	CHECK(!fits(X, 800, 600, 3199, 0, UINT64_MAX));
	CHECK(!fits(DRM_FORMAT_RGB565, 800, 600, 1599, 0, UINT64_MAX));
	CHECK(!fits(X, 800, 600, 4000, 0, 4000ull * 599 + 3200 - 1));
	CHECK(!fits(X, 1, 1, 4, 4097, 4100));
	CHECK(!fits(X, 0, 600, 3200, 0, UINT64_MAX));
	CHECK(!fits(X, 800, 0, 3200, 0, UINT64_MAX));
	CHECK(!fits(X, ENC_PLANE_MAX_DIM + 1, 1, UINT32_MAX, 0, UINT64_MAX));
	CHECK(!fits(X, 1, ENC_PLANE_MAX_DIM + 1, 4, 0, UINT64_MAX));
	CHECK(!fits(DRM_FORMAT_NV12, 800, 600, 800, 0, UINT64_MAX));
	CHECK(!fits(0, 800, 600, 3200, 0, UINT64_MAX));

	/* overflow: 32-bit products, 64-bit sums */
	CHECK(!fits(X, 16384, 16384, UINT32_MAX, 0, UINT32_MAX));
	CHECK(fits(X, 16384, 16384, UINT32_MAX, 0, UINT64_MAX));
	CHECK(!fits(X, 16, 16, 64, UINT64_MAX - 100, UINT64_MAX));
	CHECK(!fits(X, 16, 16, 64, UINT64_MAX, UINT64_MAX));
	CHECK(!fits(X, 16, 2, UINT32_MAX, UINT64_MAX - UINT32_MAX, UINT64_MAX));
	/* the wrapped sum would be small: still refused */
	CHECK(!fits(X, 16, 1, 64, UINT64_MAX - 10, 1024));
	/* no why buffer: still answers */
	{
		const struct enc_plane_layout l = { X, 16, 16, 8, 0 };

		CHECK(!enc_plane_layout_check(&l, 4096, NULL, 0));
	}

	/* the real size of an fd */
	for (uint64_t size = 0; size <= 3 * 4096 + 1; size += 4096 / 2 + 1) {
		int fd = memfd_create("size", MFD_CLOEXEC);

		CHECK(fd >= 0 && ftruncate(fd, (off_t)size) == 0);
		CHECK(enc_fd_size(fd) == (int64_t)size);
		CHECK(lseek(fd, 0, SEEK_CUR) == 0);
		close(fd);
	}
	{
		int p[2];

		CHECK(pipe(p) == 0);
		CHECK(enc_fd_size(p[0]) < 0); /* not a buffer */
		close(p[0]);
		close(p[1]);
	}
	CHECK(enc_fd_size(-1) < 0);
	return check_result("frame-layout");
}
