/* cgroup-v1.c - finding the cgroup v1 hierarchies of a hybrid host, shared
 * by limits and accounting.  Mount points come from mountinfo (never
 * guessed); SUBHOST_MOUNTINFO and SUBHOST_CGROUP_FS let unit tests point
 * both at a fake tree. */
#include "cgroup-v1.h"

#include <stdio.h>
#include <string.h>

bool cgroup_opt_has(const char *opts, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = opts; p && *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
		p += strspn(p, ",");
	}
	return false;
}

/* mountinfo escapes blanks, tabs, newlines and backslashes as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

const char *cgroup_v1_mountinfo(void)
{
	const char *path = getenv("SUBHOST_MOUNTINFO");
	return path && *path ? path : "/proc/self/mountinfo";
}

/* Where to look for a mount point: /sys/fs/cgroup/X moves under
 * $SUBHOST_CGROUP_FS when that is set.  malloc'd. */
static char *cgfs_map(const char *mnt)
{
	static const char def[] = "/sys/fs/cgroup";
	const char *fs = getenv("SUBHOST_CGROUP_FS");
	size_t n = sizeof def - 1;

	if (fs && *fs && !strncmp(mnt, def, n) && (mnt[n] == '/' || !mnt[n]))
		return xasprintf("%s%s", fs, mnt + n);
	return xstrdup(mnt);
}

/* Call fn for every cgroup (v1) mount until it returns nonzero; returns
 * that value, 0, or -errno if mountinfo cannot be read. */
int cgroup_v1_each(cgroup_v1_fn fn, void *ctx)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	FILE *fp = fopen(cgroup_v1_mountinfo(), "re");
	int r = 0;

	if (!fp)
		return -errno;
	while (r == 0 && getline(&line, &cap, fp) > 0) {
		char *f[64], *save = NULL, *t;
		int n = 0, dash = -1;

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
		for (t = strtok_r(line, " \n", &save); t && n < 64; t = strtok_r(NULL, " \n", &save)) {
			if (dash < 0 && n >= 6 && !strcmp(t, "-"))
				dash = n;
			f[n++] = t;
		}
		if (dash < 0 || dash + 3 >= n || strcmp(f[dash + 1], "cgroup"))
			continue;
		unescape(f[4]);
		{
			_cleanup_free_ char *mnt = cgfs_map(f[4]);
			r = fn(mnt, f[dash + 3], ctx);
		}
	}
	if (r == 0 && ferror(fp))
		r = -EIO;
	fclose(fp);
	return r;
}

struct find_ctx {
	const char *ctrl;
	char *mnt;
};

static int find_cb(const char *mnt, const char *superopts, void *ctx)
{
	struct find_ctx *c = ctx;

	if (!cgroup_opt_has(superopts, c->ctrl))
		return 0;
	c->mnt = xstrdup(mnt);
	return 1;
}

/* Mount point of the v1 hierarchy holding ctrl (malloc'd in *mnt, NULL if
 * none); 0 or -errno reading mountinfo. */
int cgroup_v1_mount(const char *ctrl, char **mnt)
{
	struct find_ctx c = { ctrl, NULL };
	int r = cgroup_v1_each(find_cb, &c);

	*mnt = c.mnt;
	return r < 0 ? r : 0;
}

