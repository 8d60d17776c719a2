// SPDX-License-Identifier: GPL-2.0-only
/*
 * vplane: debugfs counters, one "key value" pair per line.
 *
 *   /sys/kernel/debug/vplane/stats          module-wide live objects
 *   /sys/kernel/debug/vplane/<uuid>/stats   one vGPU: counts and state
 *   /sys/kernel/debug/vplane/<uuid>/next_id next dmabuf_id (tests: wrap)
 *
 * Tests use them to prove that nothing leaks: after every dma-buf is
 * closed and every vGPU removed, all "live" numbers in the global file
 * are zero.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vplane.h"

static struct dentry *root;

static int global_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "vgpus %d\n", atomic_read(&vplane_global.vgpus));
	seq_printf(s, "dmabufs %d\n", atomic_read(&vplane_global.dmabufs));
	seq_printf(s, "plane_objects %d\n", atomic_read(&vplane_global.pobjs));
	seq_printf(s, "page_sets %d\n", atomic_read(&vplane_global.page_sets));
	seq_printf(s, "pinned_pages %ld\n",
		   atomic_long_read(&vplane_global.pinned_pages));
	seq_printf(s, "vmaps %d\n", atomic_read(&vplane_global.vmaps));
	seq_printf(s, "displays %d\n", atomic_read(&vplane_global.displays));
	seq_printf(s, "display_clients %d\n",
		   atomic_read(&vplane_global.display_clients));
	seq_printf(s, "dma_mappings %d\n",
		   atomic_read(&vplane_global.mappings));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(global);

static void show_plane(struct seq_file *s, unsigned int h, const char *name,
		       const struct vplane_plane *p)
{
	seq_printf(s, "head%u.%s.status %u\n", h, name, p->status);
	seq_printf(s, "head%u.%s.id %u\n", h, name, p->obj ? p->obj->id : 0);
	if (p->status != VPLANE_PLANE_STATUS_OK)
		return;
	seq_printf(
		s, "head%u.%s.fb %p4cc %ux%u stride %u %s 0x%llx size 0x%llx\n",
		h, name, &p->fb.format, p->fb.width, p->fb.height, p->fb.stride,
		p->fb.domain == VPLANE_DOMAIN_VRAM ? "vram" : "gpa", p->fb.addr,
		p->fb.size);
}

static int vgpu_show(struct seq_file *s, void *unused)
{
	struct vplane_vgpu *vgpu = s->private;
	unsigned long flags;
	unsigned int h;
	u64 irqs;

	mutex_lock(&vgpu->lock);
	seq_printf(s, "type %s\n", vgpu->type->type.sysfs_name);
	seq_printf(s, "open %d\n", vgpu->open);
	seq_printf(s, "dmabufs %d\n", atomic_read(&vgpu->stats->dmabufs));
	seq_printf(s, "dmabufs_total %lld\n",
		   atomic64_read(&vgpu->stats->dmabufs_total));
	seq_printf(s, "plane_objects %u\n", vgpu->nr_pobjs);
	seq_printf(s, "pinned_pages %lu\n", vgpu->pinned_pages);
	seq_printf(s, "pins %llu\n", vgpu->nr_pins);
	seq_printf(s, "unpins %llu\n", vgpu->nr_unpins);
	seq_printf(s, "evictions %llu\n", vgpu->nr_evictions);
	seq_printf(s, "unmap_calls %llu\n", vgpu->nr_unmap_calls);
	seq_printf(s, "unmap_holds %llu\n", vgpu->nr_unmap_holds);
	seq_printf(s, "flips %llu\n", vgpu->nr_flips);
	seq_printf(s, "queries %llu\n", vgpu->nr_queries);
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	irqs = vgpu->nr_irqs;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	seq_printf(s, "irqs %llu\n", irqs);
	for (h = 0; h < vgpu->nr_heads; h++) {
		struct vplane_head *head = &vgpu->heads[h];

		seq_printf(s, "head%u.active %d\n", h,
			   __vplane_head_active(vgpu, h));
		seq_printf(s, "head%u.mode %ux%u@%u\n", h, head->width,
			   head->height, head->refresh);
		seq_printf(s, "head%u.connected %d\n", h, head->edid.connected);
		show_plane(s, h, "primary",
			   &head->planes[VPLANE_PLANE_PRIMARY]);
		show_plane(s, h, "cursor", &head->planes[VPLANE_PLANE_CURSOR]);
	}
	mutex_unlock(&vgpu->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vgpu);

/*
 * next_id: the dmabuf_id the next new plane object is offered (ids a live
 * object or a live dma-buf holds are skipped).  Tests write a value near
 * 2^32 to reach the wrap in seconds instead of weeks.
 */
static int next_id_get(void *data, u64 *val)
{
	struct vplane_vgpu *vgpu = data;

	mutex_lock(&vgpu->lock);
	*val = vgpu->next_id;
	mutex_unlock(&vgpu->lock);
	return 0;
}

static int next_id_set(void *data, u64 val)
{
	struct vplane_vgpu *vgpu = data;

	if (!val || val > U32_MAX)
		return -EINVAL;
	mutex_lock(&vgpu->lock);
	vgpu->next_id = val;
	mutex_unlock(&vgpu->lock);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(next_id_fops, next_id_get, next_id_set, "%llu\n");

void vplane_debugfs_init(void)
{
	root = debugfs_create_dir(VPLANE_NAME, NULL);
	debugfs_create_file("stats", 0444, root, NULL, &global_fops);
}

void vplane_debugfs_exit(void)
{
	debugfs_remove_recursive(root);
	root = NULL;
}

void vplane_debugfs_add(struct vplane_vgpu *vgpu)
{
	vgpu->debugfs = debugfs_create_dir(dev_name(vgpu_dev(vgpu)), root);
	debugfs_create_file("stats", 0444, vgpu->debugfs, vgpu, &vgpu_fops);
	debugfs_create_file_unsafe("next_id", 0600, vgpu->debugfs, vgpu,
				   &next_id_fops);
}

/* Waits for readers in flight, so the vGPU may be freed afterwards. */
void vplane_debugfs_remove(struct vplane_vgpu *vgpu)
{
	debugfs_remove_recursive(vgpu->debugfs);
	vgpu->debugfs = NULL;
}
