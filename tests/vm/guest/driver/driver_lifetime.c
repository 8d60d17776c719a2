// SPDX-License-Identifier: MIT
/*
 * driver-lifetime: a dma-buf handed to another process outlives guest-RAM
 * unmap, VFIO_DEVICE_RESET, device close and mdev removal, still holds the
 * old pixels, and keeps rmmod from unloading vplane until it is closed.
 * Then 1000 open/query/get/close cycles and 20 create/remove cycles leave
 * no objects behind (debugfs counts).  Unloads vplane at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "vp_dev.h"

#define GPA_BASE 0x40000000ull
#define RAM_SIZE (4u << 20)
#define W	 640
#define H	 480
#define STRIDE	 (W * 4)
#define LEN	 (STRIDE * H)

static bool send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static void pattern(uint8_t *p, uint32_t seed)
{
	size_t i;

	for (i = 0; i < LEN; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 12));
}

/* Child: hold the dma-buf until told, then check the pixels. */
static int child(int sock)
{
	uint8_t *want = malloc(LEN), *p;
	int fd = recv_fd(sock), ok = 1;
	char go;

	pattern(want, 17);
	if (fd < 0)
		return 2;
	if (read(sock, &go, 1) != 1)
		return 3;
	p = mmap(NULL, LEN, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 4;
	if (memcmp(p, want, LEN))
		ok = 0;
	munmap(p, LEN);
	close(fd);
	free(want);
	return ok ? 0 : 5;
}

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static void test_survival(void)
{
	struct vfio_device_gfx_plane_info info;
	int sv[2], fd, status;
	struct vmm_vgpu d;
	char uuid[40];
	uint8_t *ram;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		VP_FAIL("socketpair: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(child(sv[1]));
	}
	close(sv[1]);

	if (!vp_mdev_create("vplane", "vplane-1head", uuid) ||
	    !vp_dev_open(&d, uuid))
		goto out_kill;
	ram = vp_guest_ram(&d, GPA_BASE, RAM_SIZE);
	if (!ram)
		goto out_kill;
	pattern(ram, 17);
	vp_head_enable(&d, 0, W, H);
	vp_plane_set(&d, 0, 0, DRM_FORMAT_XRGB8888, W, H, STRIDE,
		     VPLANE_DOMAIN_GUEST_RAM, GPA_BASE);
	vp_mmio_write(&d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP, 1);
	if (vp_query(&d, 0, 1, &info) || !info.dmabuf_id) {
		VP_FAIL("no plane to export");
		goto out_kill;
	}
	fd = vp_get_dmabuf(&d, info.dmabuf_id);
	if (fd < 0 || !send_fd(sv[0], fd)) {
		VP_FAIL("export/send dma-buf: %s", strerror(errno));
		goto out_kill;
	}
	close(fd);
	VP_CHECK(vp_debugfs(uuid, "pinned_pages") == LEN / 4096,
		 "pinned pages %lld", vp_debugfs(uuid, "pinned_pages"));

	/* the VMM unmaps guest RAM: pins go, the plane reports it */
	vp_guest_ram_unmap(&d, GPA_BASE, RAM_SIZE);
	VP_CHECK(vp_debugfs(uuid, "pinned_pages") == 0, "pins survived unmap");
	VP_CHECK(vp_mmio_read(&d,
			      VPLANE_MMIO_PLANE(0, 0) + VPLANE_PLANE_STATUS) ==
			 VPLANE_PLANE_STATUS_UNMAPPED,
		 "plane not UNMAPPED");
	VP_CHECK(!vp_query(&d, 0, 1, &info) && info.dmabuf_id == 0,
		 "unmapped plane still queryable");
	/*
	 * The guest memory itself goes away too (its memfd is closed already):
	 * the dma-buf's page references are all that keep the pixels.
	 */
	munmap(ram, RAM_SIZE);

	VP_CHECK(!ioctl(d.device, VFIO_DEVICE_RESET), "reset");
	vp_dev_close(&d);
	vp_mdev_remove(uuid);
	VP_CHECK(vp_debugfs(NULL, "vgpus") == 0, "vgpu still there");
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 1, "live dma-bufs %lld",
		 vp_debugfs(NULL, "dmabufs"));
	VP_CHECK(delete_module("vplane") == -EWOULDBLOCK ||
			 delete_module("vplane") == -EBUSY,
		 "rmmod not refused while a dma-buf lives");

	if (write(sv[0], "g", 1) != 1)
		VP_FAIL("signal child");
	waitpid(pid, &status, 0);
	VP_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "child saw wrong pixels or failed (%d)", WEXITSTATUS(status));
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 0, "dma-buf not released");
	VP_CHECK(vp_debugfs(NULL, "page_sets") == 0, "page sets left");
	close(sv[0]);
	printf("# dma-buf survived unmap, reset, close, mdev removal; rmmod "
	       "refused meanwhile\n");
	return;

out_kill:
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(sv[0]);
}

static void test_cycles(void)
{
	struct vfio_device_gfx_plane_info info;
	struct vmm_vgpu d;
	char uuid[40];
	int i, fd, group;
	uint8_t *ram;

	if (!vp_mdev_create("vplane", "vplane-1head", uuid) ||
	    !vp_dev_open(&d, uuid))
		return;
	ram = vp_guest_ram(&d, GPA_BASE, RAM_SIZE);
	group = d.group;
	for (i = 0; i < 1000 && ram; i++) {
		if (d.device < 0)
			d.device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, uuid);
		if (d.device < 0) {
			VP_FAIL("cycle %d: GET_DEVICE_FD: %s", i,
				strerror(errno));
			break;
		}
		vp_head_enable(&d, 0, W, H);
		vp_plane_set(&d, 0, 0, DRM_FORMAT_XRGB8888, W, H, STRIDE,
			     i % 2 ? VPLANE_DOMAIN_GUEST_RAM
				   : VPLANE_DOMAIN_VRAM,
			     i % 2 ? GPA_BASE : (uint64_t)(i % 8) << 20);
		vp_mmio_write(&d, VPLANE_MMIO_HEAD(0) + VPLANE_HEAD_FLIP, 1);
		if (vp_query(&d, 0, 1, &info) || !info.dmabuf_id) {
			VP_FAIL("cycle %d: no plane", i);
			break;
		}
		fd = vp_get_dmabuf(&d, info.dmabuf_id);
		if (fd < 0) {
			VP_FAIL("cycle %d: get: %s", i, strerror(-fd));
			break;
		}
		close(fd);
		vp_dev_close_device(&d);
	}
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 0, "dma-bufs after cycles");
	VP_CHECK(vp_debugfs(uuid, "plane_objects") == 0,
		 "objects after close %lld", vp_debugfs(uuid, "plane_objects"));
	VP_CHECK(vp_debugfs(NULL, "pinned_pages") == 0, "pins after cycles");
	VP_CHECK(vp_debugfs(uuid, "dmabufs_total") == 1000,
		 "dmabufs_total %lld", vp_debugfs(uuid, "dmabufs_total"));
	if (ram)
		munmap(ram, RAM_SIZE);
	vp_dev_close(&d);
	vp_mdev_remove(uuid);

	for (i = 0; i < 20; i++) {
		if (!vp_mdev_create("vplane",
				    i % 2 ? "vplane-2head" : "vplane-1head",
				    uuid) ||
		    !vp_dev_open(&d, uuid))
			break;
		vp_dispi_write(&d, VPLANE_DISPI_BPP, 32);
		vp_dispi_write(&d, VPLANE_DISPI_XRES, 640);
		vp_dispi_write(&d, VPLANE_DISPI_YRES, 480);
		vp_dispi_write(&d, VPLANE_DISPI_ENABLE, 1);
		if (!vp_query(&d, 0, 1, &info) && info.dmabuf_id) {
			fd = vp_get_dmabuf(&d, info.dmabuf_id);
			if (fd >= 0)
				close(fd);
		}
		vp_dev_close(&d);
		vp_mdev_remove(uuid);
	}
	VP_CHECK(vp_debugfs(NULL, "vgpus") == 0, "vgpus left");
	VP_CHECK(vp_debugfs(NULL, "plane_objects") == 0, "objects left");
	VP_CHECK(vp_debugfs(NULL, "page_sets") == 0, "page sets left");
	VP_CHECK(vp_debugfs(NULL, "dmabufs") == 0, "dma-bufs left");
	printf("# 1000 open/query/get/close and 20 create/remove cycles: "
	       "nothing left\n");
}

int main(void)
{
	test_survival();
	test_cycles();
	VP_CHECK(delete_module("vplane") == 0, "rmmod at the end failed");
	if (vp_failures) {
		fprintf(stderr, "%d failures\n", vp_failures);
		return 1;
	}
	printf("# driver-lifetime ok\n");
	return 0;
}
