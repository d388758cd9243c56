/* stats.h - samples of the running subhosts' accounting, shared by
 * `subhost stats` (cmd-stats.c) and `subhost top` (cmd-top.c): the cgroup
 * figures of cgroup_stats() plus the byte counters of each cable, CPU
 * percentages from two samples, and the human units both print. */
#ifndef SUBHOST_STATS_H
#define SUBHOST_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "cgroup.h"

struct stats_cable {
	unsigned eth;                   /* inside: eth<eth> */
	char hostif[16];                /* host end */
	unsigned long long rx, tx;      /* host end counters: rx is what the subhost sent */
};

struct stats_entry {
	char *name;
	char *status;                   /* booting, running, stopping */
	pid_t pid;                      /* host pid of its pid 1 */
	bool cpu_known;                 /* cg.cpu_usec could be read */
	struct cg_stats cg;
	double cpu_percent;             /* over the last interval (100 = one CPU); < 0 unknown */
	double t_ms;                    /* when it was sampled, monotonic */
	unsigned ncables;
	struct stats_cable *cables;
	long long net_rx, net_tx;       /* sums over the cables; -1 without any */
};

struct stats_set {
	struct stats_entry *e;
	size_t n;
};

/* Sample subhost name, or every running subhost when name is NULL (sorted
 * by name).  Returns 0, or -ESRCH when name does not run.  A stale state
 * (dead supervisor) counts as not running and is left for list/boot to
 * clean. */
int stats_sample(const char *name, struct stats_set *out);

/* Fill cpu_percent of each entry of now from the same subhost (name and
 * pid) in before; unknown where it is not there or its counter went back. */
void stats_rates(struct stats_set *now, const struct stats_set *before);

void stats_set_free(struct stats_set *s);

/* The host's name (gethostname), for the reports. */
const char *stats_hostname(void);

/* Human units: 1023B, 1.5K, 23M, 4.0G (powers of 1024); "-" if v < 0. */
void stats_fmt_bytes(long long v, char *buf, size_t size);
/* CPU time: 1.25s, 12m03s, 3h04m, 2d03h. */
void stats_fmt_cpu(unsigned long long usec, char *buf, size_t size);
/* A percentage: 12.3%, or "-" if p < 0. */
void stats_fmt_percent(double p, char *buf, size_t size);

/* Parse an interval in seconds ("2", "0.5"): 0 <= S <= 86400.  0 or -EINVAL. */
int stats_parse_interval(const char *s, double *out);

/* Sleep for sec seconds (restarted after signals). */
void stats_sleep(double sec);

#endif
