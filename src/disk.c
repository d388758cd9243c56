/* disk.c - partitions (libblkid), loop devices (LOOP_CONFIGURE), mounts. */
#include "disk.h"

#include <blkid/blkid.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <linux/fs.h>
#include <linux/loop.h>
#include "mount.h"

#define DISK_GID 6              /* Debian's "disk" group, as udev gives block devices */
#define LOOP_TRIES 64           /* free loop devices taken by others before we give up */

/* "partition N of IMAGE" or "IMAGE" for messages. */
static char *part_name(const char *image, int partno)
{
	return partno ? xasprintf("partition %d of %s", partno, image) : xstrdup(image);
}

/* Probe the filesystem in [off, off+size) of fd (size 0: to the end).
 * Returns blkid_do_safeprobe's 0 (found), 1 (nothing), -2 (ambivalent)
 * or -1, with TYPE and USAGE copied out when found. */
static int probe_fs(int fd, uint64_t off, uint64_t size, char *type, size_t tlen,
		    char *usage, size_t ulen)
{
	blkid_probe pr = blkid_new_probe();
	const char *v;
	int rc;

	if (!pr)
		return -1;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) < 0) {
		blkid_free_probe(pr);
		return -1;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
	blkid_probe_enable_partitions(pr, 0);
	rc = blkid_do_safeprobe(pr);
	if (rc == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
			snprintf(type, tlen, "%s", v);
		if (blkid_probe_lookup_value(pr, "USAGE", &v, NULL) == 0)
			snprintf(usage, ulen, "%s", v);
	}
	blkid_free_probe(pr);
	return rc;
}

/* "1, 2, 5" into buf: the partition numbers of ls. */
static void part_numbers(blkid_partlist ls, char *buf, size_t len)
{
	int i, n = blkid_partlist_numof_partitions(ls);
	size_t o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < len; i++) {
		blkid_partition par = blkid_partlist_get_partition(ls, i);

		o += (size_t)snprintf(buf + o, len - o, "%s%d", i ? ", " : "",
				      blkid_partition_get_partno(par));
	}
	if (!n)
		snprintf(buf, len, "none");
}

/* The partition table of fd, if any: its type in pttype, and for partno > 0
 * the partition's range.  Returns 1 with a table, 0 without. */
static int find_partition(int fd, const char *image, int partno, struct disk_part *p,
			  char *pttype, size_t ptlen, struct sh_err *err)
{
	blkid_probe pr = blkid_new_probe();
	blkid_partlist ls;
	blkid_partition par;
	blkid_parttable tab;
	char nums[256];
	int r = 0;

	if (!pr || blkid_probe_set_device(pr, fd, 0, 0) < 0) {
		r = err_sys(err, ENOMEM, "%s: start blkid", image);
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 0);
	blkid_probe_enable_partitions(pr, 1);
	ls = blkid_probe_get_partitions(pr);
	tab = ls ? blkid_partlist_get_table(ls) : NULL;
	if (!tab)
		goto out;
	snprintf(pttype, ptlen, "%s", blkid_parttable_get_type(tab));
	r = 1;
	if (partno <= 0)
		goto out;
	par = blkid_partlist_get_partition_by_partno(ls, partno);
	if (!par) {
		part_numbers(ls, nums, sizeof nums);
		r = err_cfg(err, "%s has no partition %d: its %s partition table has partitions %s",
			    image, partno, pttype, nums);
		goto out;
	}
	if (blkid_partition_is_extended(par)) {
		r = err_cfg(err, "partition %d of %s is an extended partition: expected one that holds "
			    "a filesystem (logical partitions are numbered from 5)", partno, image);
		goto out;
	}
	p->offset = (uint64_t)blkid_partition_get_start(par) * 512;
	p->size = (uint64_t)blkid_partition_get_size(par) * 512;
out:
	if (pr)
		blkid_free_probe(pr);
	return r;
}

int disk_find(const char *image, int partno, struct disk_part *p, struct sh_err *err)
{
	_cleanup_close_ int fd = -1, fs = -1;
	_cleanup_free_ char *what = part_name(image, partno);
	char pttype[32] = "", usage[32] = "";
	struct stat st;
	int table, rc;

	*p = (struct disk_part){ .image = image, .partno = partno };
	fd = open(image, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return err_msg(err, EXIT_USAGE, ENOENT, "image %s does not exist: expected a disk image file",
				       image);
		return err_sys(err, errno, "open image %s", image);
	}
	if (fstat(fd, &st) < 0)
		return err_sys(err, errno, "stat %s", image);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return err_cfg(err, "%s is not a regular file: expected a disk image file", image);
	table = find_partition(fd, image, partno, p, pttype, sizeof pttype, err);
	if (table < 0)
		return table;
	if (partno > 0 && !table) {
		rc = probe_fs(fd, 0, 0, p->fstype, sizeof p->fstype, usage, sizeof usage);
		if (rc == 0)
			return err_cfg(err, "%s has no partition table but a %s filesystem on the whole image: "
				       "expected partition 0 (or none) for it", image, p->fstype);
		return err_cfg(err, "%s has no partition table that blkid recognises: expected a disk image "
			       "with an MBR or GPT table (or partition 0 for a filesystem image)", image);
	}
	rc = probe_fs(fd, p->offset, p->size, p->fstype, sizeof p->fstype, usage, sizeof usage);
	if (rc == 1 && partno == 0 && table)
		return err_cfg(err, "%s holds a %s partition table, not a filesystem: expected a partition "
			       "number, as in vda:1:%s", image, pttype, image);
	if (rc == 1)
		return err_cfg(err, "%s holds no filesystem that blkid recognises: expected a formatted "
			       "%s (mkfs)", what, partno ? "partition" : "filesystem image");
	if (rc == -2)
		return err_cfg(err, "%s carries signatures of several filesystems: expected one (wipefs "
			       "can remove the stale ones)", what);
	if (rc < 0 || !p->fstype[0])
		return err_sys(err, EIO, "%s: read by blkid", what);
	if (strcmp(usage, "filesystem"))
		return err_cfg(err, "%s holds %s (%s), not a filesystem: expected a partition with a "
			       "filesystem", what, p->fstype, usage[0] ? usage : "unknown use");
	/* fsopen() loads the driver if it is a module: a type it doesn't
	 * know is one this kernel cannot mount at all.  (Other errors, such
	 * as EPERM without privileges, tell nothing: the mount will say.) */
	fs = fsopen(p->fstype, FSOPEN_CLOEXEC);
	if (fs < 0 && errno == ENODEV)
		return err_cfg(err, "%s holds a %s filesystem, which this kernel cannot mount: expected "
			       "a filesystem type listed in /proc/filesystems", what, p->fstype);
	if (partno == 0)
		p->size = 0;    /* to the end, whatever the image's size */
	return 0;
}

/* ---- loop devices ------------------------------------------------------ */

int disk_attach(const struct disk_part *p, bool ro, char dev[32], struct sh_err *err)
{
	_cleanup_free_ char *what = part_name(p->image, p->partno);
	_cleanup_close_ int file = -1, ctl = -1;
	struct loop_config lc;
	struct flock fl = {
		.l_type = ro ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET,
		.l_start = (off_t)p->offset, .l_len = (off_t)p->size,
	};
	struct stat st;

	file = open(p->image, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
	if (file < 0)
		return err_sys(err, errno, "open %s%s", p->image, ro ? "" : " for writing");
	/* The loop device keeps this open file, and with it the lock, for
	 * as long as it exists. */
	if (fcntl(file, F_OFD_SETLK, &fl) < 0) {
		if (errno == EAGAIN || errno == EACCES)
			return err_msg(err, EXIT_FAIL, EBUSY, "%s is in use: another subhost (or an "
				       "overlay-diskfile mount) has it %s", what,
				       ro ? "read-write" : "open");
		/* a filesystem without locks (some FUSE ones): go on unguarded */
		if (errno != ENOLCK && errno != EOPNOTSUPP && errno != EINVAL)
			return err_sys(err, errno, "lock %s", what);
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return err_sys(err, errno, "open /dev/loop-control");
	memset(&lc, 0, sizeof lc);
	lc.fd = (unsigned)file;
	lc.info.lo_offset = p->offset;
	lc.info.lo_sizelimit = p->size;
	/* autoclear: detached by the kernel once the last opener is gone */
	lc.info.lo_flags = LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)lc.info.lo_file_name, sizeof lc.info.lo_file_name, "%s", p->image);
	for (int i = 0; i < LOOP_TRIES; i++) {
		_cleanup_close_ int lo = -1;
		int held, n = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (n < 0)
			return err_sys(err, errno, "%s: find a free loop device", what);
		snprintf(dev, 32, "/dev/loop%d", n);
		lo = open(dev, O_RDWR | O_CLOEXEC);
		if (lo < 0)
			return err_sys(err, errno, "%s: open %s", what, dev);
		if (ioctl(lo, LOOP_CONFIGURE, &lc) < 0) {
			if (errno == EBUSY)
				continue;       /* taken between GET_FREE and here */
			return err_sys(err, errno, "%s: configure %s", what, dev);
		}
		/* Hold it read-only: a writer would stop a kernel without
		 * BLK_DEV_WRITE_MOUNTED from mounting it. */
		held = open(dev, O_RDONLY | O_CLOEXEC);
		if (held < 0 || fstat(held, &st) < 0 || !S_ISBLK(st.st_mode)) {
			int e = held < 0 ? errno : ENOTBLK;

			if (held >= 0)
				close(held);
			return err_sys(err, e, "%s: reopen %s", what, dev);
		}
		return held;
	}
	return err_sys(err, EBUSY, "%s: every free loop device was taken by others", what);
}

int disk_mount(const struct disk_part *p, const char *dev, bool ro, unsigned attrs,
	       const char *path, struct sh_err *err)
{
	_cleanup_free_ char *name = part_name(p->image, p->partno);
	_cleanup_free_ char *what = xasprintf("%s (%s) on %s", name, dev, path);
	const struct mnt_opt opts[] = { { "ro", NULL } };
	_cleanup_close_ int mfd = -1;

	mfd = mnt_new(p->fstype, dev, opts, ro ? 1 : 0, attrs | (ro ? MOUNT_ATTR_RDONLY : 0), what, err);
	if (mfd < 0)
		return mfd;
	return mnt_attach(mfd, AT_FDCWD, path, what, err);
}

/* ---- the disks of a subhost -------------------------------------------- */

static const char *use_where(const struct sh_config *cfg, const struct disk_use *u, char *buf,
			     size_t len)
{
	if (u->conf)
		snprintf(buf, len, "%s:%d: DISKS entry %s:%d:%s", cfg->path, u->conf->line,
			 u->conf->dev, u->conf->part, u->conf->image);
	else
		snprintf(buf, len, "%s:%d: IMAGE=%s", cfg->path, cfg->image_line, cfg->image);
	return buf;
}

int disks_plan(const struct sh_config *cfg, struct disk_set *set, struct sh_err *err)
{
	char where[PATH_MAX * 2 + 64];
	size_t i;

	set->v = xcalloc(cfg->ndisks + 1, sizeof *set->v);
	set->n = 0;
	if (cfg->image)
		set->v[set->n++] = (struct disk_use){ .role = DISK_IMAGE, .fd = -1,
						      .part.image = cfg->image };
	for (i = 0; i < cfg->ndisks; i++)
		set->v[set->n++] = (struct disk_use){
			.role = i ? DISK_DATA : DISK_ROOT, .conf = &cfg->disks[i], .fd = -1,
			/* the root is read-only under the overlay, read-write
			 * when it is the root itself (UPPER = LOWER) */
			.ro = !i && !cfg->bind_root,
		};
	for (i = 0; i < set->n; i++) {
		struct disk_use *u = &set->v[i];
		int r = disk_find(u->conf ? u->conf->image : cfg->image, u->conf ? u->conf->part : 0,
				  &u->part, err);

		if (r < 0) {
			err_prefix(err, "%s", use_where(cfg, u, where, sizeof where));
			return r;
		}
	}
	return 0;
}

int disks_attach(struct disk_set *set, struct sh_err *err)
{
	struct stat st;

	for (size_t i = 0; i < set->n; i++) {
		struct disk_use *u = &set->v[i];

		u->fd = disk_attach(&u->part, u->ro, u->dev, err);
		if (u->fd < 0)
			return u->fd;
		if (fstat(u->fd, &st) < 0)
			return err_sys(err, errno, "stat %s", u->dev);
		u->rdev = st.st_rdev;
	}
	return 0;
}

void disks_release(struct disk_set *set)
{
	for (size_t i = 0; set && i < set->n; i++) {
		if (set->v[i].fd >= 0)
			close(set->v[i].fd);
		set->v[i].fd = -1;
	}
}

void disks_free(struct disk_set *set)
{
	if (!set)
		return;
	disks_release(set);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

/* UPPER or WORK on the image: the top directories root and work are made
 * when missing (a fresh mkfs has none); anything else must be there. */
static int image_dir(const struct sh_config *cfg, const char *key, const char *path,
		     struct sh_err *err)
{
	const char *rel = path + strlen(cfg->image_mnt);
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
	};
	_cleanup_close_ int mnt = -1, dir = -1;

	if (strncmp(path, cfg->image_mnt, strlen(cfg->image_mnt)) || (*rel && *rel != '/'))
		return 0;       /* not on the image: checked with the conf */
	mnt = open(cfg->image_mnt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mnt < 0)
		return err_sys(err, errno, "IMAGE: open %s", cfg->image_mnt);
	if ((!strcmp(rel, "/root") || !strcmp(rel, "/work")) && mkdirat(mnt, rel + 1, 0755) < 0 &&
	    errno != EEXIST)
		return err_sys(err, errno, "%s:%d: IMAGE=%s: create %s", cfg->path, cfg->image_line,
			       cfg->image, path);
	/* The image is not ours: a symlink in it (root -> /etc) must not
	 * make a host directory the subhost's UPPER. */
	dir = *rel ? (int)syscall(SYS_openat2, mnt, rel + 1, &how, sizeof how) : TAKE_FD(mnt);
	if (dir < 0)
		return err_cfg(err, "%s:%d: IMAGE=%s has no directory %s for %s (%s): expected top "
			       "directories root and work (or %s elsewhere), not symbolic links",
			       cfg->path, cfg->image_line, cfg->image, rel + 1, key, strerror(errno), key);
	return 0;
}

int disks_mount(const struct sh_config *cfg, const struct disk_set *set, struct sh_err *err)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct disk_use *u = &set->v[i];
		int r = 0;

		if (u->role == DISK_IMAGE) {
			if (mkdir(cfg->image_mnt, 0755) < 0 && errno != EEXIST)
				return err_sys(err, errno, "IMAGE: create %s", cfg->image_mnt);
			r = disk_mount(&u->part, u->dev, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
				       cfg->image_mnt, err);
			if (r == 0)
				r = image_dir(cfg, "UPPER", cfg->upper, err);
			if (r == 0 && !cfg->bind_root)
				r = image_dir(cfg, "WORK", cfg->work, err);
		} else if (u->role == DISK_ROOT) {
			/* As the root itself it keeps setuid programs working,
			 * as the bind of a directory root does; under the
			 * overlay, the overlay's own mount decides. */
			r = disk_mount(&u->part, u->dev, u->ro,
				       u->ro ? MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV : MOUNT_ATTR_NODEV,
				       cfg->lower.v[0], err);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int disks_nodes(int rootfd, const struct disk_set *set, struct sh_err *err)
{
	_cleanup_close_ int dev = -1;

	for (size_t i = 0; i < set->n; i++) {
		const struct disk_use *u = &set->v[i];

		if (u->role != DISK_DATA)
			continue;
		if (dev < 0) {
			dev = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY);
			if (dev < 0)
				return err_sys(err, -dev, "open the subhost's /dev");
		}
		if (mknodat(dev, u->conf->node, S_IFBLK | 0660, u->rdev) < 0 ||
		    fchownat(dev, u->conf->node, 0, DISK_GID, AT_SYMLINK_NOFOLLOW) < 0)
			return err_sys(err, errno, "/dev/%s for %s", u->conf->node, u->dev);
	}
	return 0;
}

char *disks_root_str(const struct sh_config *cfg)
{
	if (!cfg->ndisks)
		return NULL;
	if (cfg->disks[0].part)
		return xasprintf("%s partition %d", cfg->disks[0].image, cfg->disks[0].part);
	return xstrdup(cfg->disks[0].image);
}
