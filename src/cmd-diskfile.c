/* cmd-diskfile.c - `overlay-diskfile PATH [DISKFILE [INDEX]]` (also
 * `subhost diskfile`): overlay-boot's helper for `!command` values, without
 * fdisk.
 *
 *   LOWER=!overlay-diskfile mnt/ disk.img 2
 *   UPPER=!overlay-diskfile mnt/upper disk.img 2
 *
 * When a boot reads the conf (ACTION=overlay-boot) and DISKFILE is given,
 * the filesystem of partition INDEX of DISKFILE (of the whole file without
 * INDEX) is mounted on PATH's directory, unless something is mounted there
 * already; read-only when the value is LOWER's.  PATH is printed either
 * way: it is the value.  A boot runs the conf's commands in a mount
 * namespace of their own, from which the subhost's is copied, so the mount
 * never shows on the host, and the loop device goes when the subhost has
 * ended (overlay-boot's `unshare -m` did the same); other actions (stop,
 * status...) mount nothing.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "cli.h"
#include "disk.h"
#include "state.h"

/* overlay-diskfile mounted on PATH's directory part; a directory part that does
 * not exist yet lies inside the disk (the seed's own examples,
 * "mnt/some/path"), so the nearest directory above it that exists is the
 * mount point. */
static char *mount_point(const char *path, struct sh_err *err)
{
	_cleanup_free_ char *d = xstrdup(path);
	char *slash = strrchr(d, '/'), *real;
	struct stat st;

	if (slash)
		*slash = '\0';
	while (*d && (stat(d, &st) < 0 || !S_ISDIR(st.st_mode))) {
		slash = strrchr(d, '/');
		if (!slash)
			*d = '\0';
		else
			*slash = '\0';
	}
	real = *d ? realpath(d, NULL) : NULL;
	if (!real || !strcmp(real, "/")) {
		free(real);
		err_cfg(err, "%s: no directory to mount on: expected PATH to start with an existing "
			"directory (the mount point), as in mnt/", path);
		return NULL;
	}
	return real;
}

static bool is_mount_root(const char *dir)
{
	struct statx stx;

	return statx(AT_FDCWD, dir, 0, STATX_BASIC_STATS, &stx) == 0 &&
	       (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int diskfile_mount(const char *path, const char *image, const char *index, bool ro,
			  struct sh_err *err)
{
	_cleanup_free_ char *dir = NULL, *abs = NULL;
	_cleanup_close_ int loop = -1;
	struct disk_part p;
	char dev[32];
	long partno = 0;
	char *end = NULL;
	int r;

	if (*index) {
		partno = strtol(index, &end, 10);
		if (*end || partno < 0 || partno > 999)
			return err_cfg(err, "partition index \"%s\": expected a number from 1 to 999 "
				       "(or none for a filesystem on the whole file)", index);
	}
	dir = mount_point(path, err);
	if (!dir)
		return -EINVAL;
	if (is_mount_root(dir))
		return 0;       /* mounted already, e.g. for LOWER when this is UPPER */
	abs = realpath(image, NULL);
	if (!abs)
		return err_msg(err, EXIT_USAGE, errno, "disk file %s: %s: expected an existing disk image",
			       image, strerror(errno));
	r = disk_find(abs, (int)partno, &p, err);
	if (r < 0)
		return r;
	loop = disk_attach(&p, ro, dev, err);
	if (loop < 0)
		return loop;
	/* The mount holds the loop now; it detaches when the mount goes. */
	return disk_mount(&p, dev, ro, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dir, err);
}

int cmd_diskfile(int argc, char **argv)
{
	const char *action = getenv("ACTION"), *key = getenv("SUBHOST_KEY");
	struct sh_err err = { 0 };

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cli_usage(stdout, "diskfile");
		return 0;
	}
	if (argc < 2 || argc > 4 || !*argv[1]) {
		cli_usage(stderr, "diskfile");
		return EXIT_USAGE;
	}
	if (argc > 2 && *argv[2] && action && !strcmp(action, "overlay-boot") &&
	    diskfile_mount(argv[1], argv[2], argc > 3 ? argv[3] : "",
			   key && !strcmp(key, "LOWER"), &err) < 0) {
		const char *name = getenv("NAME");
		int fd;

		/* the usual way to get here: booting what runs already */
		if (err.num == EBUSY && name && config_check_name(name, NULL) == 0) {
			if (state_probe(name, &fd) == 1)
				err_prefix(&err, "%s is running already", name);
			if (fd >= 0)
				close(fd);
		}
		report_err(NULL, &err);
		return err.status ? err.status : EXIT_FAIL;
	}
	printf("%s\n", argv[1]);
	return 0;
}
