/* init-initctl.c - decode sysvinit's /run/initctl requests.
 *
 * Pure: bytes in, a decoded request out; no I/O, no allocation.  pid 1
 * reads the FIFO and acts on the result (init.c).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "init-initctl.h"

/* One KEY or KEY=VALUE string of a SETENV/UNSETENV request, len bytes. */
static enum init_halt halt_setting(const char *s, size_t len, int cmd, enum init_halt cur)
{
	static const char key[] = "INIT_HALT";
	const size_t klen = sizeof key - 1;
	const char *val;
	size_t vlen;

	if (len < klen || memcmp(s, key, klen) != 0)
		return cur;
	if (len == klen)
		return INIT_HALT_CLEARED;       /* "INIT_HALT" alone unsets it */
	if (s[klen] != '=' || cmd == INIT_CMD_UNSETENV)
		return cur;                     /* INIT_HALTX=..., not ours */
	val = s + klen + 1;
	vlen = len - klen - 1;
	if (vlen == 8 && strncasecmp(val, "POWEROFF", 8) == 0)
		return INIT_HALT_POWEROFF;
	if (vlen == 4 && strncasecmp(val, "HALT", 4) == 0)
		return INIT_HALT_HALT;
	return INIT_HALT_CLEARED;
}

/* Walk "S1\0S2\0...\0\0" within the data area; the last string may run to
 * the end of the area without a NUL, as a careless writer might send. */
static void decode_env(const struct init_request *r, struct init_req *out)
{
	const char *p = r->i.data, *end = r->i.data + sizeof r->i.data;

	out->halt = INIT_HALT_UNTOUCHED;
	out->nvars = 0;
	while (p < end && *p) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);

		out->halt = halt_setting(p, len, r->cmd, out->halt);
		out->nvars++;
		p += len + 1;
	}
}

void init_initctl_decode(const void *buf, size_t len, struct init_req *out)
{
	struct init_request r;

	memset(out, 0, sizeof *out);
	if (len != sizeof r) {
		out->type = INIT_REQ_SHORT;
		return;
	}
	/* memcpy: the caller's buffer need not be aligned for int. */
	memcpy(&r, buf, sizeof r);
	out->magic = r.magic;
	out->cmd = r.cmd;
	if (r.magic != INIT_REQ_MAGIC) {
		out->type = INIT_REQ_BAD_MAGIC;
		return;
	}
	switch (r.cmd) {
	case INIT_CMD_RUNLVL:
		/* telinit stores the character ('0', 's'...) in an int. */
		if (r.runlevel <= ' ' || r.runlevel > '~') {
			out->type = INIT_REQ_BAD_RUNLEVEL;
			return;
		}
		out->type = INIT_REQ_RUNLEVEL;
		out->runlevel = (char)toupper(r.runlevel);
		return;
	case INIT_CMD_SETENV:
	case INIT_CMD_UNSETENV:
		out->type = r.cmd == INIT_CMD_SETENV ? INIT_REQ_SETENV : INIT_REQ_UNSETENV;
		decode_env(&r, out);
		return;
	default:
		out->type = INIT_REQ_OTHER;
		return;
	}
}
