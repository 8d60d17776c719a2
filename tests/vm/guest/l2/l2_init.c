// SPDX-License-Identifier: MIT
/*
 * PID 1 of the nested (L2) guest the VM tests boot inside the test VM
 * (tests/vm/guest/l2/l2vm.py starts it). Linked statically: the L2
 * initramfs holds this file and, for a modular kernel, the modules it
 * loads, nothing else.
 *
 * It mounts devtmpfs, proc and sysfs, loads /modules/order (if present),
 * prints "L2-READY <uptime>" on the serial console and runs the checks the
 * kernel command line names with l2.check= (comma-separated, in order):
 *
 *   boot   nothing more (the boot itself is the check)
 *   drm    the PCI devices ("PCI ..."), then waits for a DRM card
 *          ("DRM ...") and an fbdev ("FB ...")
 *   kms    one line per connector of card0 from sysfs: "CONN <name>
 *          status=<status> modes=<mode>,<mode>,..." (the kernel's order:
 *          preferred first)
 *   show   sets fb0's mode (no fbcon does it here): "SHOW fb0 <w>x<h>
 *          bpp=<n>", or "SHOW none" / "SHOW fb0 error=<why>"
 *   input  the input devices ("INPUT ...", "ABS ..."), "L2-INPUT-READY",
 *          then one line "EV <dev> <type> <code> <value>" per event read
 *          from any /dev/input/event* (EV_SYN and EV_REP left out), until powered off;
 *          with l2.repeat=off the kernel's soft autorepeat is switched off
 *          on every keyboard (EVIOCSREP, as kbdrate would), so the guest
 *          sees exactly the events the host sent however slow it runs
 *
 * Every check ends with "L2-DONE <check> <status>" (input never does: the
 * host stops the guest); then "L2-END" and a power-off. Lines are the
 * contract with l2vm.py: keep them stable. A failure prints "L2-FATAL
 * <why>" and powers off.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fb.h>
#include <linux/input.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_INPUTS    32
#define BITS_PER_LONG (8 * sizeof(long))
#define NLONGS(n)     (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

static _Noreturn void power_off(void)
{
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

__attribute__((format(printf, 1, 2))) static _Noreturn void
fatal(const char *fmt, ...)
{
	va_list ap;

	printf("L2-FATAL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	power_off();
}

static double uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void mount_or_die(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) && errno != EBUSY)
		fatal("mount %s on %s: %s", type, dir, strerror(errno));
}

/* The console is only reachable once devtmpfs is mounted: the initramfs
 * has no /dev/console of its own. */
static void open_console(void)
{
	int fd = open("/dev/console", O_RDWR);

	if (fd < 0)
		return; /* nothing to say it on */
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Value of "key=" on the kernel command line, or NULL. */
static const char *cmdline_value(const char *key)
{
	static char line[4096];
	static bool read_once;
	size_t klen = strlen(key);
	char *p;

	if (!read_once) {
		FILE *f = fopen("/proc/cmdline", "r");

		if (!f || !fgets(line, sizeof(line), f))
			fatal("cannot read /proc/cmdline");
		fclose(f);
		line[strcspn(line, "\n")] = ' ';
		read_once = true;
	}
	for (p = line; (p = strstr(p, key)); p += klen) {
		if ((p == line || p[-1] == ' ') && p[klen] == '=') {
			static char value[256];
			size_t n = strcspn(p + klen + 1, " ");

			if (n >= sizeof(value))
				n = sizeof(value) - 1;
			memcpy(value, p + klen + 1, n);
			value[n] = '\0';
			return value;
		}
	}
	return NULL;
}

/* A modular kernel (Debian's): load what /modules/order lists, in that
 * order (the host resolved the dependencies). */
static void load_modules(void)
{
	FILE *order = fopen("/modules/order", "r");
	char name[128], path[256];

	if (!order)
		return;
	while (fgets(name, sizeof(name), order)) {
		int fd;

		name[strcspn(name, "\n")] = '\0';
		if (!name[0])
			continue;
		snprintf(path, sizeof(path), "/modules/%s.ko", name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fatal("open %s: %s", path, strerror(errno));
		if (syscall(SYS_finit_module, fd, "", 0) && errno != EEXIST)
			fatal("finit_module %s: %s", name, strerror(errno));
		close(fd);
	}
	fclose(order);
	printf("L2-MODULES %.2f\n", uptime());
}

/* First line of a sysfs attribute, or "" */
static const char *sysfs_read(const char *dir, const char *attr)
{
	static char buf[256];
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Name of the driver bound to a sysfs device dir, or "none" */
static const char *bound_driver(const char *dir)
{
	static char target[256];
	char link[512];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/driver", dir);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return "none";
	target[n] = '\0';
	return strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
}

static void list_pci(void)
{
	const char *root = "/sys/bus/pci/devices";
	DIR *d = opendir(root);
	struct dirent *e;
	char dir[512];

	if (!d)
		fatal("no %s", root);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
		/* sysfs_read returns a static buffer: one attribute a call */
		printf("PCI %s", e->d_name);
		printf(" vendor=%s", sysfs_read(dir, "vendor"));
		printf(" device=%s", sysfs_read(dir, "device"));
		printf(" subvendor=%s", sysfs_read(dir, "subsystem_vendor"));
		printf(" subdevice=%s", sysfs_read(dir, "subsystem_device"));
		printf(" class=%s", sysfs_read(dir, "class"));
		printf(" driver=%s\n", bound_driver(dir));
	}
	closedir(d);
}

/* Wait up to `seconds` for a path to exist. */
static bool wait_path(const char *path, int seconds)
{
	struct stat st;

	for (int i = 0; i < seconds * 10; i++) {
		if (stat(path, &st) == 0)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static int check_drm(int wait_s)
{
	const char *card = "/sys/class/drm/card0";
	struct stat st;

	list_pci();
	if (!wait_path(card, wait_s)) {
		printf("DRM none\n");
		return 1;
	}
	printf("DRM card0 driver=%s dev=%s\n",
	       bound_driver("/sys/class/drm/card0/device"),
	       stat("/dev/dri/card0", &st) == 0 && S_ISCHR(st.st_mode)
		       ? "/dev/dri/card0"
		       : "missing");
	if (wait_path("/sys/class/graphics/fb0", wait_s))
		printf("FB fb0 name=%s\n",
		       sysfs_read("/sys/class/graphics/fb0", "name"));
	else
		printf("FB none\n");
	return 0;
}

/* Connectors of card0 as sysfs lists them ("card0-Virtual-1"). */
static int check_kms(void)
{
	const char *root = "/sys/class/drm";
	char dir[512], path[600], mode[64];
	struct dirent *e;
	int n = 0;
	DIR *d;
	FILE *f;

	d = opendir(root);
	if (!d)
		return 1;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "card0-", 6) != 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name);
		printf("CONN %s status=%s modes=", e->d_name + 6,
		       sysfs_read(dir, "status"));
		snprintf(path, sizeof(path), "%s/modes", dir);
		f = fopen(path, "r");
		for (int i = 0; f && fgets(mode, sizeof(mode), f); i++)
			printf("%s%.*s", i ? "," : "", (int)strcspn(mode, "\n"),
			       mode);
		if (f)
			fclose(f);
		printf("\n");
		n++;
	}
	closedir(d);
	return n ? 0 : 1;
}

/* Show fbdev's console buffer on fb0: the minimal kernel has no fbcon,
 * so nothing sets a mode on its own. A forced FBIOPUT_VSCREENINFO of the
 * current settings makes the DRM fb helper commit its mode (set_par), as
 * fbcon's start would; the vGPU's host side then sees an enabled head. */
static int check_show(int wait_s)
{
	struct fb_var_screeninfo var;
	int fd;

	if (!wait_path("/dev/fb0", wait_s)) {
		printf("SHOW none\n");
		return 1;
	}
	fd = open("/dev/fb0", O_RDWR | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, FBIOGET_VSCREENINFO, &var)) {
		printf("SHOW fb0 error=%s\n", strerror(errno));
		return 1;
	}
	var.activate = FB_ACTIVATE_NOW | FB_ACTIVATE_FORCE;
	if (ioctl(fd, FBIOPUT_VSCREENINFO, &var)) {
		printf("SHOW fb0 error=%s\n", strerror(errno));
		close(fd);
		return 1;
	}
	printf("SHOW fb0 %ux%u bpp=%u\n", var.xres, var.yres,
	       var.bits_per_pixel);
	close(fd);
	return 0;
}

struct input_dev {
	int fd;
	char name[16]; /* "event3" */
};

static bool test_bit(const unsigned long *bits, unsigned int bit)
{
	return bits[bit / BITS_PER_LONG] >> (bit % BITS_PER_LONG) & 1;
}

static bool repeat_off;

static void describe_input(const struct input_dev *dev)
{
	unsigned long ev_bits[NLONGS(EV_CNT)] = { 0 };
	unsigned long abs_bits[NLONGS(ABS_CNT)] = { 0 };
	char name[128] = "";
	struct input_id id = { 0 };

	ioctl(dev->fd, EVIOCGNAME(sizeof(name)), name);
	ioctl(dev->fd, EVIOCGID, &id);
	printf("INPUT %s bus=%04x vendor=%04x product=%04x name=%s\n",
	       dev->name, id.bustype, id.vendor, id.product, name);
	ioctl(dev->fd, EVIOCGBIT(0, sizeof(ev_bits)), ev_bits);
	if (repeat_off && test_bit(ev_bits, EV_REP)) {
		unsigned int rep[2] = { 0, 0 }; /* delay 0: no soft repeat */

		if (ioctl(dev->fd, EVIOCSREP, rep) == 0)
			printf("REPEAT-OFF %s\n", dev->name);
	}
	if (ioctl(dev->fd, EVIOCGBIT(EV_ABS, sizeof(abs_bits)), abs_bits) < 0)
		return;
	for (unsigned int code = 0; code < ABS_CNT; code++) {
		struct input_absinfo info;

		if (test_bit(abs_bits, code) &&
		    ioctl(dev->fd, EVIOCGABS(code), &info) == 0)
			printf("ABS %s %u %d %d\n", dev->name, code,
			       info.minimum, info.maximum);
	}
}

/* Open every /dev/input/event* not open yet; describe the new ones. */
static int scan_inputs(struct input_dev *devs, int n)
{
	DIR *d = opendir("/dev/input");
	struct dirent *e;

	if (!d)
		return n;
	while ((e = readdir(d)) && n < MAX_INPUTS) {
		bool known = false;

		if (strncmp(e->d_name, "event", 5) != 0)
			continue;
		for (int i = 0; i < n; i++)
			known |= devs[i].fd >= 0 &&
				 strcmp(devs[i].name, e->d_name) == 0;
		if (known)
			continue;
		snprintf(devs[n].name, sizeof(devs[n].name), "%.15s",
			 e->d_name);
		{
			char path[64];

			snprintf(path, sizeof(path), "/dev/input/%s",
				 devs[n].name);
			devs[n].fd =
				open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		}
		if (devs[n].fd >= 0)
			describe_input(&devs[n++]);
	}
	closedir(d);
	return n;
}

static void drop_input(struct input_dev *dev)
{
	printf("INPUT-GONE %s\n", dev->name);
	close(dev->fd);
	dev->fd = -1;
}

/* Print every event until powered off. A device that appears later (a
 * VMM hot-adding one) is picked up within a second. */
static _Noreturn void check_input(void)
{
	struct input_dev devs[MAX_INPUTS];
	struct pollfd fds[MAX_INPUTS];
	int n = scan_inputs(devs, 0);

	printf("L2-INPUT-READY %d\n", n);
	for (;;) {
		int ready;

		for (int i = 0; i < n; i++)
			fds[i] = (struct pollfd){ .fd = devs[i].fd,
						  .events = POLLIN };
		ready = poll(fds, n, 1000);
		if (ready == 0) {
			n = scan_inputs(devs, n);
			continue;
		}
		for (int i = 0; i < n && ready > 0; i++) {
			struct input_event ev[64];
			ssize_t len;

			if (!fds[i].revents)
				continue;
			if (fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				drop_input(&devs[i]);
				continue;
			}
			len = read(devs[i].fd, ev, sizeof(ev));
			if (len < 0 && errno == ENODEV)
				drop_input(&devs[i]);
			for (ssize_t k = 0; k < len / (ssize_t)sizeof(ev[0]);
			     k++) {
				/* EV_REP: the echo of the guest's own EVIOCSREP */
				if (ev[k].type == EV_SYN ||
				    ev[k].type == EV_REP)
					continue;
				printf("EV %s %u %u %d\n", devs[i].name,
				       ev[k].type, ev[k].code, ev[k].value);
			}
		}
	}
}

static int run_check(const char *check, int wait_s)
{
	if (strcmp(check, "boot") == 0)
		return 0;
	if (strcmp(check, "drm") == 0)
		return check_drm(wait_s);
	if (strcmp(check, "kms") == 0)
		return check_kms();
	if (strcmp(check, "show") == 0)
		return check_show(wait_s);
	if (strcmp(check, "input") == 0)
		check_input();
	fatal("unknown l2.check=%s", check);
}

int main(void)
{
	const char *wait, *repeat;
	char checks[256], *check, *save = NULL;

	mount_or_die("devtmpfs", "/dev");
	open_console();
	mount_or_die("proc", "/proc");
	mount_or_die("sysfs", "/sys");
	load_modules();
	snprintf(checks, sizeof(checks), "%s",
		 cmdline_value("l2.check") ? cmdline_value("l2.check")
					   : "boot");
	wait = cmdline_value("l2.wait");
	repeat = cmdline_value("l2.repeat");
	repeat_off = repeat && strcmp(repeat, "off") == 0;
	printf("L2-READY %.2f\n", uptime());

	for (check = strtok_r(checks, ",", &save); check;
	     check = strtok_r(NULL, ",", &save))
		printf("L2-DONE %s %d\n", check,
		       run_check(check, wait ? atoi(wait) : 30));
	printf("L2-END\n");
	power_off();
}
