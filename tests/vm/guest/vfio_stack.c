// SPDX-License-Identifier: MIT
/*
 * vfio-stack: the VFIO container answers as the mdev drivers need it to:
 * /dev/vfio/vfio opens, VFIO_GET_API_VERSION is VFIO_API_VERSION and the
 * type1 IOMMU backend is available.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

int main(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	int version, type1, bogus;

	if (fd < 0) {
		fprintf(stderr, "open /dev/vfio/vfio: %s\n", strerror(errno));
		return 1;
	}
	version = ioctl(fd, VFIO_GET_API_VERSION);
	type1 = ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU);
	bogus = ioctl(fd, VFIO_CHECK_EXTENSION, 0x7fff);
	close(fd);
	printf("# VFIO_GET_API_VERSION=%d (want %d), TYPE1=%d, unknown=%d\n",
	       version, VFIO_API_VERSION, type1, bogus);
	if (version != VFIO_API_VERSION) {
		fprintf(stderr, "FAIL: API version %d\n", version);
		return 1;
	}
	if (type1 != 1) {
		fprintf(stderr, "FAIL: no type1 IOMMU extension (%d)\n", type1);
		return 1;
	}
	if (bogus != 0) {
		fprintf(stderr, "FAIL: an unknown extension answered %d\n",
			bogus);
		return 1;
	}
	return 0;
}
