// SPDX-License-Identifier: MIT
/*
 * vplane-fuzz: seeded, reproducible hostile fuzzer for vplane.ko.
 *
 *   vplane-fuzz -u UUID [-s SEED] [-n OPS] [-p PARENT -t TYPE] [-d] [-v]
 *               [-T SECONDS]
 *
 * Plays VMM (regions, guest RAM, upstream VFIO gfx ioctls, dma-bufs) and
 * guest (bochs DISPI and vplane register programs) at random.  The seed is
 * printed first; the same seed replays the same op sequence.  With -p/-t
 * the fuzzer also removes and recreates its mdev mid-run (keeping dma-bufs
 * open across removal); -d checks the debugfs counters once everything is
 * closed.  Exit 0 when every invariant held, 1 otherwise.
 */
#include "fuzz.h"
#include "monotonic.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const fz_op_names[OP_COUNT] = {
	[OP_REGION_READ] = "region_read",
	[OP_REGION_WRITE] = "region_write",
	[OP_VRAM_MMAP] = "vram_mmap",
	[OP_BOCHS] = "bochs",
	[OP_PLANE] = "plane",
	[OP_FLIP] = "flip",
	[OP_QUERY] = "query",
	[OP_GET_DMABUF] = "get_dmabuf",
	[OP_READ_KEPT] = "read_kept",
	[OP_INFO_IOCTL] = "info_ioctl",
	[OP_SET_IRQS] = "set_irqs",
	[OP_RESET] = "reset",
	[OP_MAP] = "map_dma",
	[OP_UNMAP] = "unmap_dma",
	[OP_REOPEN] = "reopen",
	[OP_KILL_CONSUMER] = "kill_consumer",
	[OP_MDEV_CYCLE] = "mdev_cycle",
	[OP_DISP_OPEN] = "disp_open",
	[OP_DISP_IOCTL] = "disp_ioctl",
	[OP_DISP_READ] = "disp_read",
	[OP_DISP_ACK] = "disp_ack",
	[OP_DISP_DMABUF] = "disp_dmabuf",
};

/* Relative weights of the ops in the main loop. */
static const unsigned int op_weight[OP_COUNT] = {
	[OP_REGION_READ] = 200, [OP_REGION_WRITE] = 150, [OP_VRAM_MMAP] = 30,
	[OP_BOCHS] = 60,	[OP_PLANE] = 150,	 [OP_FLIP] = 50,
	[OP_QUERY] = 80,	[OP_GET_DMABUF] = 70,	 [OP_READ_KEPT] = 30,
	[OP_INFO_IOCTL] = 50,	[OP_SET_IRQS] = 30,	 [OP_RESET] = 10,
	[OP_MAP] = 25,		[OP_UNMAP] = 15,	 [OP_REOPEN] = 3,
	[OP_KILL_CONSUMER] = 2, [OP_MDEV_CYCLE] = 1,	 [OP_DISP_OPEN] = 10,
	[OP_DISP_IOCTL] = 60,	[OP_DISP_READ] = 40,	 [OP_DISP_ACK] = 35,
	[OP_DISP_DMABUF] = 30,
};

#define TRACE_LINES 48
#define TRACE_LEN   200
static char trace[TRACE_LINES][TRACE_LEN];
static unsigned int trace_next;
static bool in_child;

/* ---- randomness --------------------------------------------------------- */

uint64_t fz_rand(struct fuzz *f)
{
	/* splitmix64 */
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fz_below(struct fuzz *f, uint64_t n)
{
	return n ? fz_rand(f) % n : 0;
}

bool fz_one_in(struct fuzz *f, unsigned int n)
{
	return fz_below(f, n) == 0;
}

/* ---- reporting ---------------------------------------------------------- */

void fz_trace(struct fuzz *f, const char *fmt, ...)
{
	char *line = trace[trace_next++ % TRACE_LINES];
	int n;
	va_list ap;

	n = snprintf(line, TRACE_LEN, "#%lu %s: ", f->op_index,
		     fz_op_names[f->op]);
	va_start(ap, fmt);
	vsnprintf(line + n, TRACE_LEN - n, fmt, ap);
	va_end(ap);
	if (f->verbose)
		printf("%s\n", line);
}

static void dump_trace(void)
{
	unsigned int i, n = trace_next < TRACE_LINES ? trace_next : TRACE_LINES;

	fprintf(stderr, "last %u trace lines:\n", n);
	for (i = trace_next - n; i != trace_next; i++)
		fprintf(stderr, "  %s\n", trace[i % TRACE_LINES]);
}

void fz_fail(struct fuzz *f, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s:%d: FAIL seed=%llu op #%lu (%s)%s: ", file, line,
		(unsigned long long)f->seed, f->op_index, fz_op_names[f->op],
		in_child ? " [consumer child]" : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (in_child)
		_exit(3);
	dump_trace();
	fprintf(stderr, "reproduce: vplane-fuzz -s %llu (same -n and -p/-t)\n",
		(unsigned long long)f->seed);
	exit(1);
}

static struct fuzz *sig_fuzz;

static void handle_fatal_signal(int sig)
{
	char msg[160];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "FAIL seed=%llu op #%lu (%s): unexpected signal %d%s\n",
		     (unsigned long long)sig_fuzz->seed, sig_fuzz->op_index,
		     fz_op_names[sig_fuzz->op], sig,
		     in_child ? " [consumer child]" : "");
	if (write(STDERR_FILENO, msg, n) < 0)
		_exit(1);
	_exit(in_child ? 3 : 1);
}

/* ---- model -------------------------------------------------------------- */

void fz_obj_add(struct fuzz *f, const struct fz_obj *obj)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_OBJS; i++) {
		if (f->objs[i].id == obj->id) {
			FZ_CHECK(f,
				 f->objs[i].domain == obj->domain &&
					 f->objs[i].addr == obj->addr &&
					 f->objs[i].size == obj->size,
				 "dmabuf id %u reused for another framebuffer "
				 "(was dom %u 0x%llx+0x%llx, now dom %u "
				 "0x%llx+0x%llx)",
				 obj->id, f->objs[i].domain,
				 (unsigned long long)f->objs[i].addr,
				 (unsigned long long)f->objs[i].size,
				 obj->domain, (unsigned long long)obj->addr,
				 (unsigned long long)obj->size);
			return;
		}
	}
	FZ_CHECK(f, !fz_id_dead(f, obj->id),
		 "dmabuf id %u came back after its object was destroyed",
		 obj->id);
	f->objs[f->next_obj++ % FZ_MAX_OBJS] = *obj;
}

const struct fz_obj *fz_obj_find(struct fuzz *f, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < FZ_MAX_OBJS; i++)
		if (f->objs[i].id == id)
			return &f->objs[i];
	return NULL;
}

static void kill_id(struct fuzz *f, uint32_t id)
{
	f->dead[f->next_dead++ % FZ_MAX_DEAD] = id;
}

void fz_objs_kill_all(struct fuzz *f)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_OBJS; i++) {
		if (f->objs[i].id)
			kill_id(f, f->objs[i].id);
		f->objs[i].id = 0;
	}
}

void fz_objs_kill_gpa(struct fuzz *f, uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < FZ_MAX_OBJS; i++) {
		struct fz_obj *o = &f->objs[i];

		if (!o->id || o->domain != VPLANE_DOMAIN_GUEST_RAM ||
		    o->addr >= end || o->addr + o->size <= start)
			continue;
		kill_id(f, o->id);
		o->id = 0;
	}
}

bool fz_id_dead(struct fuzz *f, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < FZ_MAX_DEAD; i++)
		if (f->dead[i] == id)
			return true;
	return false;
}

uint32_t fz_pick_id(struct fuzz *f)
{
	unsigned int r = fz_below(f, 100), h, p;

	if (r < 35) {
		unsigned int i = fz_below(f, FZ_MAX_OBJS);

		if (f->objs[i].id)
			return f->objs[i].id;
		if (f->objs[(f->next_obj - 1) % FZ_MAX_OBJS].id)
			return f->objs[(f->next_obj - 1) % FZ_MAX_OBJS].id;
		r = 50; /* nothing known: ask the hardware */
	}
	if (r < 50 && f->dead[fz_below(f, FZ_MAX_DEAD)])
		return f->dead[fz_below(f, FZ_MAX_DEAD)];
	if (r < 75) {
		h = fz_below(f, f->nr_heads);
		p = fz_below(f, VPLANE_NUM_PLANES);
		return fz_mmio_read(f, VPLANE_MMIO_PLANE(h, p) +
					       VPLANE_PLANE_ACTIVE_ID);
	}
	if (r < 82)
		return 0;
	if (r < 88)
		return ~0u;
	if (r < 94)
		return fz_below(f, 64);
	return (uint32_t)fz_rand(f);
}

uint64_t fz_owned_bytes(struct fuzz *f)
{
	return f->vram_size + FZ_RAM_SIZE;
}

bool fz_gpa_mapped(struct fuzz *f, uint64_t addr, uint64_t size)
{
	uint64_t a;

	if (addr < FZ_RAM_IOVA || size > FZ_RAM_SIZE ||
	    addr - FZ_RAM_IOVA > FZ_RAM_SIZE - size)
		return false;
	for (a = addr; a < addr + size; a += FZ_PAGE)
		if (f->chunk_mapped[(a - FZ_RAM_IOVA) / FZ_RAM_CHUNK] !=
		    CHUNK_RAM)
			return false;
	return true;
}

/* ---- device ------------------------------------------------------------- */

/* What the device must be, checked on every open of its fd (vmm.c read
 * the region table). */
static void check_regions(struct fuzz *f)
{
	FZ_CHECK(f,
		 f->dev.num_regions > VFIO_PCI_NUM_REGIONS &&
			 f->dev.num_regions <= VMM_MAX_REGIONS,
		 "num_regions %u", f->dev.num_regions);
	f->vram_size = f->dev.region[VFIO_PCI_BAR0_REGION_INDEX].size;
	f->nr_heads = fz_mmio_read(f, VPLANE_REG_NUM_HEADS);
	f->max_width = fz_mmio_read(f, VPLANE_REG_MAX_WIDTH);
	f->max_height = fz_mmio_read(f, VPLANE_REG_MAX_HEIGHT);
	FZ_CHECK(f, fz_mmio_read(f, VPLANE_REG_MAGIC) == VPLANE_MAGIC,
		 "bad magic");
	FZ_CHECK(f,
		 f->nr_heads >= 1 && f->nr_heads <= VPLANE_MAX_HEADS &&
			 f->dev.num_regions ==
				 VFIO_PCI_NUM_REGIONS + f->nr_heads,
		 "heads %u vs %u regions", f->nr_heads, f->dev.num_regions);
	FZ_CHECK(f, fz_mmio_read(f, VPLANE_REG_VRAM_SIZE) == f->vram_size,
		 "VRAM_SIZE register disagrees with BAR0 size 0x%llx",
		 (unsigned long long)f->vram_size);
}

/* VRAM through the BAR0 mapping too, where the device allows it. */
static void map_vram(struct fuzz *f)
{
	if (f->dev.region[VFIO_PCI_BAR0_REGION_INDEX].flags &
	    VFIO_REGION_INFO_FLAG_MMAP)
		FZ_CHECK(f, vmm_map_vram(&f->dev), "mmap BAR0");
}

static void dev_open(struct fuzz *f)
{
	unsigned int c;

	FZ_CHECK(f, vmm_open(&f->dev, f->uuid, VFIO_TYPE1_IOMMU), "open %s",
		 f->uuid);
	map_vram(f);
	f->open = true;
	check_regions(f);
	for (c = 0; c < FZ_RAM_CHUNKS; c++)
		f->chunk_mapped[c] = CHUNK_UNMAPPED;
	for (c = 0; c < FZ_RAM_CHUNKS; c++)
		if (!fz_one_in(f, 4))
			fz_op_map(f);
}

/* Close device, group and container: the container unmaps everything. */
static void dev_close(struct fuzz *f)
{
	unsigned int c;

	vmm_close(&f->dev);
	f->open = false;
	f->trigger_ours = false;
	f->session++;
	for (c = 0; c < FZ_RAM_CHUNKS; c++)
		f->chunk_mapped[c] = CHUNK_UNMAPPED;
	fz_objs_kill_all(f);
	fz_display_device_closed(f);
}

/* Close only the device fd: DMA mappings (and pins) outlive it. */
static void dev_reopen_fd(struct fuzz *f)
{
	vmm_close_device(&f->dev);
	f->session++;
	f->trigger_ours = false;
	fz_objs_kill_all(f);
	fz_display_device_closed(f);
	FZ_CHECK(f, vmm_reopen_device(&f->dev), "reopen device fd");
	map_vram(f);
	check_regions(f);
}

static void op_reopen(struct fuzz *f)
{
	if (fz_one_in(f, 2)) {
		fz_trace(f, "close device fd only, reopen");
		dev_reopen_fd(f);
	} else {
		fz_trace(f, "close device+group+container, reopen");
		dev_close(f);
		dev_open(f);
	}
}

/*
 * Remove the mdev and create a new one of the same type, keeping the
 * dma-buf fds: they must stay readable with their old contents.
 */
static void op_mdev_cycle(struct fuzz *f)
{
	char path[128], old_uuid[sizeof(f->uuid)];

	fz_trace(f, "remove %s", f->uuid);
	fz_display_before_remove(f);
	dev_close(f);
	FZ_CHECK(f, vmm_mdev_remove(f->uuid), "remove %s", f->uuid);
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", f->uuid);
	FZ_CHECK(f, access(path, F_OK) != 0, "%s still there", path);
	memcpy(old_uuid, f->uuid, sizeof(old_uuid));
	fz_display_after_remove(f, old_uuid);
	/* a new vGPU numbers its ids from 1 again */
	memset(f->objs, 0, sizeof(f->objs));
	memset(f->dead, 0, sizeof(f->dead));
	FZ_CHECK(f, vmm_mdev_create(f->parent, f->type, f->uuid),
		 "create %s/%s", f->parent, f->type);
	fz_trace(f, "created %s", f->uuid);
	f->mdev_cycles++;
	dev_open(f);
	fz_op_read_kept(f);
}

/*
 * A consumer (a forked child sharing the device fd, as a display process
 * would get it) queries, exports, maps and reads dma-bufs in a loop and is
 * SIGKILLed at a random point.  Its exit must leave nothing behind.
 */
static void op_kill_consumer(struct fuzz *f)
{
	unsigned int delay_us = fz_below(f, 20000);
	uint64_t child_seed = fz_rand(f);
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	FZ_CHECK(f, pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		unsigned int i;

		in_child = true;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		f->verbose = false;
		f->rng = child_seed;
		for (i = 0; i < 400; i++) {
			switch (fz_below(f, 4)) {
			case 0:
				fz_op_query(f);
				break;
			case 1:
			case 2:
				fz_op_get_dmabuf(f);
				break;
			default:
				fz_op_region(f, false);
			}
		}
		_exit(0);
	}
	usleep(delay_us);
	kill(pid, SIGKILL);
	FZ_CHECK(f, waitpid(pid, &status, 0) == pid, "waitpid: %s",
		 strerror(errno));
	FZ_CHECK(f,
		 (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
			 (WIFEXITED(status) && WEXITSTATUS(status) == 0),
		 "consumer child died with status 0x%x", status);
	fz_trace(f, "consumer killed after %u us (%s)", delay_us,
		 WIFSIGNALED(status) ? "mid-stream" : "had finished");
}

static enum fz_op pick_op(struct fuzz *f)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < OP_COUNT; i++)
		if (i != OP_MDEV_CYCLE || f->parent)
			total += op_weight[i];
	r = fz_below(f, total);
	for (i = 0; i < OP_COUNT; i++) {
		if (i == OP_MDEV_CYCLE && !f->parent)
			continue;
		if (r < op_weight[i])
			return i;
		r -= op_weight[i];
	}
	return OP_REGION_READ;
}

static void run_op(struct fuzz *f, enum fz_op op)
{
	switch (op) {
	case OP_REGION_READ:
		fz_op_region(f, false);
		break;
	case OP_REGION_WRITE:
		fz_op_region(f, true);
		break;
	case OP_VRAM_MMAP:
		fz_op_vram_mmap(f);
		break;
	case OP_BOCHS:
		fz_op_bochs(f);
		break;
	case OP_PLANE:
		fz_op_plane(f);
		break;
	case OP_FLIP:
		fz_op_flip(f);
		break;
	case OP_QUERY:
		fz_op_query(f);
		break;
	case OP_GET_DMABUF:
		fz_op_get_dmabuf(f);
		break;
	case OP_READ_KEPT:
		fz_op_read_kept(f);
		break;
	case OP_INFO_IOCTL:
		fz_op_info_ioctl(f);
		break;
	case OP_SET_IRQS:
		fz_op_set_irqs(f);
		break;
	case OP_RESET:
		fz_op_reset(f);
		break;
	case OP_MAP:
		fz_op_map(f);
		break;
	case OP_UNMAP:
		fz_op_unmap(f);
		break;
	case OP_REOPEN:
		op_reopen(f);
		break;
	case OP_KILL_CONSUMER:
		op_kill_consumer(f);
		break;
	case OP_MDEV_CYCLE:
		op_mdev_cycle(f);
		break;
	case OP_DISP_OPEN:
		fz_op_disp_open(f);
		break;
	case OP_DISP_IOCTL:
		fz_op_disp_ioctl(f);
		break;
	case OP_DISP_READ:
		fz_op_disp_read(f);
		break;
	case OP_DISP_ACK:
		fz_op_disp_ack(f);
		break;
	case OP_DISP_DMABUF:
		fz_op_disp_dmabuf(f);
		break;
	case OP_COUNT:
		break;
	}
}

/* ---- main --------------------------------------------------------------- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Value of @key in a debugfs stats file, or -1. */
static long long debugfs_value(const char *path, const char *key)
{
	char line[256];
	size_t len = strlen(key);
	long long v = -1;
	FILE *fp = fopen(path, "re");

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, key, len) && line[len] == ' ')
			v = strtoll(line + len + 1, NULL, 10);
	fclose(fp);
	return v;
}

static void check_debugfs(struct fuzz *f)
{
	static const char *const live[] = {
		"dmabufs",	"plane_objects", "page_sets",
		"pinned_pages", "vmaps",	 "dma_mappings",
	};
	const char *path = "/sys/kernel/debug/vplane/stats";
	unsigned int i;

	for (i = 0; i < sizeof(live) / sizeof(live[0]); i++) {
		long long v = debugfs_value(path, live[i]);

		FZ_CHECK(f, v == 0, "%s: %s is %lld with everything closed",
			 path, live[i], v);
	}
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s -u UUID [-s SEED] [-n OPS] [-p PARENT -t TYPE] [-d] "
		"[-v] [-T SECONDS]\n",
		argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	static struct fuzz fz;
	struct fuzz *f = &fz;
	unsigned long ops = 10000, i;
	double t0, secs, time_limit = 0;
	bool check_dbg = false, seeded = false;
	struct sigaction sa = { .sa_handler = handle_fatal_signal };
	int fds_start, fds_end, opt;

	f->eventfd = -1;
	f->ram_fd = -1;
	while ((opt = getopt(argc, argv, "u:s:n:p:t:dvT:")) != -1) {
		switch (opt) {
		case 'u':
			snprintf(f->uuid, sizeof(f->uuid), "%s", optarg);
			break;
		case 's':
			f->seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'n':
			ops = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			f->parent = optarg;
			break;
		case 't':
			f->type = optarg;
			break;
		case 'd':
			check_dbg = true;
			break;
		case 'v':
			f->verbose = true;
			break;
		case 'T':
			time_limit = strtod(optarg, NULL);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!f->uuid[0] || !f->parent != !f->type)
		usage(argv[0]);
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		f->seed = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec;
	}
	printf("seed %llu ops %lu uuid %s\n", (unsigned long long)f->seed, ops,
	       f->uuid);
	fflush(stdout);
	f->rng = f->seed;
	sig_fuzz = f;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fds_start = count_fds();
	for (i = 0; i < FZ_MAX_KEPT; i++)
		f->kept[i].fd = -1;
	fz_display_init(f);
	FZ_CHECK(f, fz_ram_init(f), "guest RAM setup");
	dev_open(f);

	t0 = monotonic_ns() / 1e3;
	for (i = 0; i < ops; i++) {
		enum fz_op op = pick_op(f);

		f->op_index = i;
		f->op = op;
		f->counts[op]++;
		run_op(f, op);
		if (time_limit > 0 && !(i & 255) &&
		    monotonic_ns() / 1e3 - t0 > time_limit * 1e6) {
			printf("# time limit %.0f s reached after %lu ops\n",
			       time_limit, i + 1);
			ops = i + 1;
			break;
		}
	}
	secs = (monotonic_ns() / 1e3 - t0) / 1e6;

	/* everything closed: dma-bufs read one last time, then dropped */
	f->op = OP_READ_KEPT;
	f->op_index = ops;
	fz_op_read_kept(f);
	fz_close_kept(f);
	f->op = OP_DISP_READ;
	fz_display_finish(f);
	dev_close(f);
	fz_ram_finish(f);
	fds_end = count_fds();
	FZ_CHECK(f, fds_end == fds_start, "fd leak: %d fds at start, %d at end",
		 fds_start, fds_end);
	if (check_dbg)
		check_debugfs(f);

	printf("# vplane-fuzz seed %llu: %lu ops in %.1f s (%.0f ops/s), "
	       "%lu dma-bufs read (%llu bytes), %lu planes ok, %lu irqs, "
	       "%lu mdev cycles\n",
	       (unsigned long long)f->seed, ops, secs,
	       ops / (secs > 0 ? secs : 1), f->dmabufs_read, f->bytes_read,
	       f->planes_ok, f->irqs_seen, f->mdev_cycles);
	printf("#  display: %lu fds opened, %lu events read, %lu queue drains "
	       "accounted (%lu with drops), %lu acks, %lu flips held for "
	       "their ack, %lu released by close/drop, %lu dma-bufs, %lu "
	       "blocked readers woken by removal\n",
	       f->disp.opens, f->disp.records, f->disp.drains,
	       f->disp.drains_dropped, f->disp.acks_ok, f->disp.held,
	       f->disp.released, f->disp.dmabufs, f->disp.readers);
	printf("#  ops:");
	for (i = 0; i < OP_COUNT; i++)
		printf(" %s=%lu", fz_op_names[i], f->counts[i]);
	printf("\n");
	return 0;
}
