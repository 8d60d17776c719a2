// SPDX-License-Identifier: MIT
/*
 * vplane-handover: give an unprivileged vplaned a vGPU's display node over
 * its --vfio-socket, so vplaned needs no access to /dev/vplane (no
 * 'vplane' group) or /dev/vfio at all.
 *
 *   vplane-handover SOCKET UUID
 *
 * Run it as root (or as a user in the 'vplane' group) while the VM runs,
 * e.g. from the unit or hook that starts the VM: it opens
 * /dev/vplane/UUID, sends it to vplaned with the UUID as its name, waits
 * for vplaned's "ok" and then stays connected until SIGTERM/SIGINT or
 * until vplaned goes away. Its exit closes the connection, and vplaned
 * drops the vGPU (server/vfio_socket.h has the protocol).
 *
 * The VMM may own the vGPU's VFIO device meanwhile: the display node is a
 * second, independent way in. A VMM that wants to decide itself who sees
 * its guest sends the fd that VPLANE_VFIO_GET_DISPLAY_FD returns on its
 * VFIO device fd instead (handover_send.c is the code to copy;
 * `vplane-sim --share-display` does exactly that). Either fd gives vplaned
 * flip events and the ack role, as if it had opened the node itself.
 *
 * Permissions: vplaned makes the socket mode 0600 under its own user, so
 * only root or vplaned's user can hand it a vGPU; the fd itself carries
 * the right to the display, nothing more (no VFIO device access).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "handover_send.h"

static volatile sig_atomic_t stop;

static void handle_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = handle_signal };
	char node[128];
	int display, conn;

	if (argc != 3) {
		fprintf(stderr, "usage: vplane-handover SOCKET UUID\n");
		return 2;
	}
	if (strspn(argv[2], "0123456789abcdefABCDEF-") != strlen(argv[2]) ||
	    strlen(argv[2]) != 36) {
		fprintf(stderr, "vplane-handover: '%s' is not an mdev UUID\n",
			argv[2]);
		return 2;
	}
	snprintf(node, sizeof(node), "/dev/vplane/%s", argv[2]);
	display = open(node, O_RDWR | O_CLOEXEC);
	if (display < 0) {
		fprintf(stderr, "vplane-handover: %s: %s%s\n", node,
			strerror(errno),
			errno == EACCES ? " (run as root or in group 'vplane')"
			: errno == ENOENT
				? " (no such vGPU, or vplane.ko not loaded)"
				: "");
		return 1;
	}
	conn = vplane_handover_send("vplane-handover", argv[1], argv[2],
				    display);
	/* vplaned has its own reference now */
	close(display);
	if (conn < 0)
		return 1;
	printf("vplane-handover: vplaned shows %s\n", argv[2]);
	fflush(stdout);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		struct pollfd p = { .fd = conn, .events = POLLIN };

		/* vplaned never talks after "ok": input means it hung up */
		if (poll(&p, 1, -1) > 0) {
			fprintf(stderr, "vplane-handover: vplaned closed the "
					"connection\n");
			close(conn);
			return 1;
		}
	}
	close(conn);
	return 0;
}
