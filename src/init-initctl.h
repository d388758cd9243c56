/* init-initctl.h - decode sysvinit's /run/initctl requests (SPEC section 5).
 *
 * telinit, halt, poweroff and reboot from sysvinit, and systemctl on a
 * system not booted with systemd, write fixed 384-byte `struct
 * init_request` records into the FIFO /run/initctl.  The layout below is
 * sysvinit's initreq.h, restated from its documented sizes.  Decoding is a
 * pure function so that it can be tested without a FIFO or a pid 1.
 */
#ifndef SUBHOST_INIT_INITCTL_H
#define SUBHOST_INIT_INITCTL_H

#include <stddef.h>

#define INIT_REQ_MAGIC          0x03091969
#define INIT_REQ_SIZE           384
#define INIT_REQ_DATA_SIZE      368

/* Values of init_request.cmd. */
#define INIT_CMD_START          0
#define INIT_CMD_RUNLVL         1
#define INIT_CMD_POWERFAIL      2
#define INIT_CMD_POWERFAILNOW   3
#define INIT_CMD_POWEROK        4
#define INIT_CMD_BSD            5
#define INIT_CMD_SETENV         6
#define INIT_CMD_UNSETENV       7

/* The BSD-compatible part of the union; only its size matters to us. */
struct init_request_bsd {
	char gen_id[8];
	char tty_id[16];
	char host[64];
	char term_type[16];
	int signal;
	int pid;
	char exec_name[128];
	char reserved[128];
};

struct init_request {
	int magic;              /* INIT_REQ_MAGIC */
	int cmd;                /* INIT_CMD_* */
	int runlevel;           /* INIT_CMD_RUNLVL: the level, as a character */
	int sleeptime;          /* seconds between SIGTERM and SIGKILL (unused) */
	union {
		struct init_request_bsd bsd;
		char data[INIT_REQ_DATA_SIZE];  /* SETENV: "KEY=VALUE\0KEY=VALUE\0..." */
	} i;
};

_Static_assert(sizeof(struct init_request_bsd) == INIT_REQ_DATA_SIZE,
	       "init_request_bsd must fill the 368-byte union");
_Static_assert(sizeof(struct init_request) == INIT_REQ_SIZE,
	       "init_request must be sysvinit's 384 bytes");

enum init_req_type {
	INIT_REQ_SHORT,         /* fewer than INIT_REQ_SIZE bytes (or more) */
	INIT_REQ_BAD_MAGIC,     /* .magic holds what was found */
	INIT_REQ_RUNLEVEL,      /* .runlevel: '0'-'6', 'S', or another letter (upper case) */
	INIT_REQ_BAD_RUNLEVEL,  /* runlevel field is not a printable character */
	INIT_REQ_SETENV,        /* .halt, .nvars */
	INIT_REQ_UNSETENV,      /* .halt, .nvars */
	INIT_REQ_OTHER,         /* well-formed, but a command we do not act on (.cmd) */
};

/* What a SETENV/UNSETENV request says about INIT_HALT. */
enum init_halt {
	INIT_HALT_UNTOUCHED,    /* not mentioned */
	INIT_HALT_POWEROFF,     /* INIT_HALT=POWEROFF */
	INIT_HALT_HALT,         /* INIT_HALT=HALT */
	INIT_HALT_CLEARED,      /* unset, or set to something else */
};

struct init_req {
	enum init_req_type type;
	int magic;              /* as found, for messages */
	int cmd;                /* as found, for messages */
	char runlevel;          /* INIT_REQ_RUNLEVEL */
	enum init_halt halt;    /* SETENV/UNSETENV: the last INIT_HALT setting */
	unsigned nvars;         /* SETENV/UNSETENV: strings found, INIT_HALT included */
};

/* Decode one record of len bytes.  Never fails: the outcome is in out->type. */
void init_initctl_decode(const void *buf, size_t len, struct init_req *out);

#endif
