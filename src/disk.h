/* disk.h - disk images (SPEC 2: DISKS, IMAGE; overlay-diskfile).
 *
 * A partition is found with libblkid (MBR or GPT, or a filesystem on the
 * whole image: partition 0), put on a loop device with that offset and size
 * limit (LOOP_CONFIGURE; never the kernel's partition parsing or udev,
 * which many kernels lack) and mounted with the new mount API.
 *
 * Nothing leaks, whatever ends the subhost: every loop device is
 * LO_FLAGS_AUTOCLEAR, so the kernel detaches it when its last user goes,
 * and its users are mounts in the subhost's own mount namespace and the
 * descriptors its supervisor holds.  The partition's byte range of the
 * image is locked (an OFD lock, shared when read-only, exclusive when
 * read-write) through the file the loop device keeps open, so no two loop
 * devices ever write one filesystem at once.
 */
#ifndef SUBHOST_DISK_H
#define SUBHOST_DISK_H

#include <stdint.h>
#include <sys/types.h>
#include "config.h"

/* Where a filesystem lies in an image. */
struct disk_part {
	const char *image;      /* absolute path (not owned) */
	int partno;             /* 0: the whole image */
	uint64_t offset, size;  /* bytes */
	char fstype[32];        /* blkid's TYPE, the kernel's filesystem name */
};

/* Find partition partno of image (0: a filesystem on the whole image) and
 * the filesystem in it, and check that the kernel can mount that type.
 * Errors name the image and say what was expected (EXIT_USAGE for a bad
 * image or number, EXIT_FAIL when the image cannot be read). */
int disk_find(const char *image, int partno, struct disk_part *p, struct sh_err *err);

/* Attach p to a free loop device (autoclear, read-only when ro) and lock
 * its range of the image.  Returns an O_CLOEXEC read-only descriptor of
 * the loop device, which keeps it attached, and its path in dev (e.g.
 * "/dev/loop3"), or a negative errno (-EBUSY: the range is in use). */
int disk_attach(const struct disk_part *p, bool ro, char dev[32], struct sh_err *err);

/* Mount the filesystem of p, attached as dev, on path (resolved in the
 * caller's mount namespace) with the MOUNT_ATTR_* flags attrs; read-only
 * (the filesystem and the mount) when ro. */
int disk_mount(const struct disk_part *p, const char *dev, bool ro, unsigned attrs,
	       const char *path, struct sh_err *err);

/* ---- the disks of one subhost ---------------------------------------- */

enum disk_role { DISK_ROOT, DISK_IMAGE, DISK_DATA };

struct disk_use {
	struct disk_part part;
	enum disk_role role;
	bool ro;
	const struct sh_disk *conf;     /* DISKS entry (root, data), NULL for IMAGE */
	int fd;                 /* the loop device, held by the supervisor; -1 */
	dev_t rdev;
	char dev[32];
};

struct disk_set {
	struct disk_use *v;
	size_t n;
};

/* Look up every disk of cfg (before anything is touched).  Errors name the
 * file and line of the entry. */
int disks_plan(const struct sh_config *cfg, struct disk_set *set, struct sh_err *err);
/* Supervisor: attach every disk of the plan; the set holds the loops. */
int disks_attach(struct disk_set *set, struct sh_err *err);
/* Close the loops the set holds: each detaches once nothing mounts it. */
void disks_release(struct disk_set *set);
void disks_free(struct disk_set *set);
#define _cleanup_disks_ __attribute__((cleanup(disks_free)))

/* Boot child, in the subhost's mount namespace before the root is
 * assembled: IMAGE on BASE/mnt (read-write; UPPER and WORK must then be
 * there), the root disk on LOWER (read-only, or read-write when it is the
 * root itself, UPPER = LOWER). */
int disks_mount(const struct sh_config *cfg, const struct disk_set *set, struct sh_err *err);
/* Boot child: the data disks as block devices in the subhost's /dev. */
int disks_nodes(int rootfd, const struct disk_set *set, struct sh_err *err);

/* A one-line description of the root disk for status ("IMAGE partition
 * N"), or NULL when the root is not on a disk.  malloc'd. */
char *disks_root_str(const struct sh_config *cfg);

#endif
