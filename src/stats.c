/* stats.c - samples of the running subhosts' accounting (see stats.h). */
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "net.h"
#include "state.h"

/* Fill e from NAME's state; 0, or -ESRCH if it does not run. */
static int sample_one(const char *name, struct stats_entry *e)
{
	struct sh_state st;
	int stale_fd, probe = state_probe(name, &stale_fd);

	memset(e, 0, sizeof *e);
	if (probe == 2)
		close(stale_fd);        /* a dead supervisor's: not running */
	if (probe != 1 || state_read(name, &st) < 0)
		return -ESRCH;
	e->name = xstrdup(st.name ? st.name : name);
	e->status = xstrdup(st.status ? st.status : "");
	e->pid = st.pid;
	e->cpu_known = cgroup_stats(e->name, st.cgroup, &e->cg) == 0;
	e->t_ms = now_ms();
	e->cpu_percent = -1;
	e->net_rx = e->net_tx = -1;
	e->cables = xcalloc(st.ncables ? st.ncables : 1, sizeof *e->cables);
	for (unsigned i = 0; i < st.ncables; i++) {
		struct net_cable_info ci;
		struct stats_cable *c = &e->cables[e->ncables];

		memset(&ci, 0, sizeof ci);
		if (net_cable_info(e->name, i, &ci) < 0)
			continue;       /* its host end is gone (deleted by hand) */
		c->eth = i;
		snprintf(c->hostif, sizeof c->hostif, "%s", ci.hostif);
		c->rx = ci.rx_bytes;
		c->tx = ci.tx_bytes;
		e->net_rx = (e->net_rx < 0 ? 0 : e->net_rx) + (long long)c->rx;
		e->net_tx = (e->net_tx < 0 ? 0 : e->net_tx) + (long long)c->tx;
		e->ncables++;
	}
	state_free(&st);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct stats_entry *)a)->name, ((const struct stats_entry *)b)->name);
}

int stats_sample(const char *name, struct stats_set *out)
{
	char **names;
	size_t n = 0;

	out->e = NULL;
	out->n = 0;
	if (name) {
		out->e = xcalloc(1, sizeof *out->e);
		if (sample_one(name, &out->e[0]) < 0) {
			free(out->e);
			out->e = NULL;
			return -ESRCH;
		}
		out->n = 1;
		return 0;
	}
	names = state_names();
	while (names[n])
		n++;
	out->e = xcalloc(n ? n : 1, sizeof *out->e);
	for (size_t i = 0; i < n; i++) {
		if (sample_one(names[i], &out->e[out->n]) == 0)
			out->n++;
		free(names[i]);
	}
	free(names);
	qsort(out->e, out->n, sizeof *out->e, cmp_name);
	return 0;
}

void stats_rates(struct stats_set *now, const struct stats_set *before)
{
	for (size_t i = 0; i < now->n; i++) {
		struct stats_entry *e = &now->e[i];

		e->cpu_percent = -1;
		for (size_t j = 0; before && j < before->n; j++) {
			const struct stats_entry *b = &before->e[j];
			double dt_us = (e->t_ms - b->t_ms) * 1000.0;

			if (strcmp(b->name, e->name) || b->pid != e->pid)
				continue;
			if (e->cpu_known && b->cpu_known && e->cg.cpu_usec >= b->cg.cpu_usec && dt_us > 0)
				e->cpu_percent = (double)(e->cg.cpu_usec - b->cg.cpu_usec) * 100.0 / dt_us;
			break;
		}
	}
}

void stats_set_free(struct stats_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->e[i].name);
		free(s->e[i].status);
		free(s->e[i].cables);
	}
	free(s->e);
	s->e = NULL;
	s->n = 0;
}

const char *stats_hostname(void)
{
	static char host[256];

	if (!host[0] && gethostname(host, sizeof host - 1) < 0)
		snprintf(host, sizeof host, "localhost");
	return host;
}

void stats_fmt_bytes(long long v, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	double x = (double)v;
	int u = -1;

	if (v < 0) {
		snprintf(buf, size, "-");
		return;
	}
	if (v < 1024) {
		snprintf(buf, size, "%lldB", v);
		return;
	}
	while (x >= 1024 && u < 5) {
		x /= 1024;
		u++;
	}
	/* 9.95K would print as "10.0K": switch to no decimals there */
	if (x < 9.95)
		snprintf(buf, size, "%.1f%c", x, units[u]);
	else
		snprintf(buf, size, "%.0f%c", x, units[u]);
}

void stats_fmt_cpu(unsigned long long usec, char *buf, size_t size)
{
	unsigned long long s = usec / 1000000;

	if (s < 100)
		snprintf(buf, size, "%.2fs", (double)usec / 1e6);
	else if (s < 3600)
		snprintf(buf, size, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%llud%02lluh", s / 86400, s % 86400 / 3600);
}

void stats_fmt_percent(double p, char *buf, size_t size)
{
	if (p < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f%%", p);
}

int stats_parse_interval(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 86400)
		return -EINVAL;
	*out = v;
	return 0;
}

void stats_sleep(double sec)
{
	struct timespec ts;

	if (sec <= 0)
		return;
	ts.tv_sec = (time_t)sec;
	ts.tv_nsec = (long)((sec - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
