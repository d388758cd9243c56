/* sealed.c - programs run from sealed in-memory copies. */
#include "sealed.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define INIT_PATH_ENV "SUBHOST_INIT"

char *init_binary_path(void)
{
	const char *env = getenv(INIT_PATH_ENV);
	char self[4096];
	ssize_t n;

	if (env && *env == '/')
		return xstrdup(env);
	if (access(LIBEXECDIR "/subhost-init", X_OK) == 0)
		return xstrdup(LIBEXECDIR "/subhost-init");
	/* Running from a build tree: use the binary beside us. */
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			strcpy(slash + 1, "subhost-init");
			if (access(self, X_OK) == 0)
				return xstrdup(self);
		}
	}
	return xstrdup(LIBEXECDIR "/subhost-init");
}

int program_read(const char *path, char **bin, size_t *len, struct sh_err *err)
{
	_cleanup_close_ int src = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t off = 0;

	src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0)
		return err_sys(err, errno, "open pid 1 program %s", path);
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > 64 << 20)
		return err_msg(err, EXIT_FAIL, 0, "pid 1 program %s: not a plausible program", path);
	buf = xmalloc((size_t)st.st_size);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(src, buf + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_sys(err, n < 0 ? errno : EIO, "read %s", path);
		off += (size_t)n;
	}
	*bin = TAKE_PTR(buf);
	*len = off;
	return 0;
}

int sealed_memfd(const char *name, const char *bin, size_t len, struct sh_err *err)
{
	_cleanup_close_ int mfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (mfd < 0)
		return err_sys(err, errno, "memfd_create");
	for (size_t w = 0; w < len;) {
		ssize_t n = write(mfd, bin + w, len - w);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_sys(err, n < 0 ? errno : EIO, "copy %s", name);
		w += (size_t)n;
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS_ALL) < 0)
		return err_sys(err, errno, "seal the copy of %s", name);
	return TAKE_FD(mfd);
}
