/* SPDX-License-Identifier: MIT */
/*
 * The iommufd and VFIO device-cdev uAPI driver-iommufd uses. The tests are
 * built against Debian 12's linux-libc-dev (6.1), which has neither
 * (<linux/iommufd.h> is 6.2, the cdev ioctls 6.6); these are copied from
 * include/uapi/linux/iommufd.h and vfio.h of Linux 6.12, where they are
 * stable uAPI (the kernel keeps old layouts working by `size`/`argsz`).
 */
#ifndef VP_IOMMUFD_UAPI_H
#define VP_IOMMUFD_UAPI_H

#include <linux/ioctl.h>
#include <linux/types.h>
#include <linux/vfio.h>

#define VP_IOMMUFD_TYPE		  (';')
#define VP_IOMMUFD_CMD_DESTROY	  0x80
#define VP_IOMMUFD_CMD_IOAS_ALLOC 0x81
#define VP_IOMMUFD_CMD_IOAS_MAP	  0x85
#define VP_IOMMUFD_CMD_IOAS_UNMAP 0x86

struct vp_iommu_destroy {
	__u32 size;
	__u32 id;
};

#define VP_IOMMU_DESTROY _IO(VP_IOMMUFD_TYPE, VP_IOMMUFD_CMD_DESTROY)

struct vp_iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

#define VP_IOMMU_IOAS_ALLOC _IO(VP_IOMMUFD_TYPE, VP_IOMMUFD_CMD_IOAS_ALLOC)

#define VP_IOMMU_IOAS_MAP_FIXED_IOVA (1u << 0)
#define VP_IOMMU_IOAS_MAP_WRITEABLE  (1u << 1)
#define VP_IOMMU_IOAS_MAP_READABLE   (1u << 2)

struct vp_iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define VP_IOMMU_IOAS_MAP _IO(VP_IOMMUFD_TYPE, VP_IOMMUFD_CMD_IOAS_MAP)

struct vp_iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};

#define VP_IOMMU_IOAS_UNMAP _IO(VP_IOMMUFD_TYPE, VP_IOMMUFD_CMD_IOAS_UNMAP)

/* VFIO device cdev (/dev/vfio/devices/vfioN), 6.6 */
struct vp_vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};

#define VP_VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)

struct vp_vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};

#define VP_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)

struct vp_vfio_device_detach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
};

#define VP_VFIO_DEVICE_DETACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 20)

#endif
