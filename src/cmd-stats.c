/* cmd-stats.c - `subhost stats NAME|--all [--json] [--interval S]`:
 * the cgroup accounting and cable counters of running subhosts, with the
 * CPU use over an interval (two samples S seconds apart). */
#include <string.h>
#include "cli.h"
#include "stats.h"

static void json_ll(const char *key, long long v)
{
	if (v < 0)
		printf(",\"%s\":null", key);
	else
		printf(",\"%s\":%lld", key, v);
}

static void print_json(const struct stats_entry *e, double interval)
{
	printf("{\"host\":");
	json_str(stdout, stats_hostname());
	printf(",\"name\":");
	json_str(stdout, e->name);
	printf(",\"state\":");
	json_str(stdout, e->status);
	printf(",\"pid\":%d", (int)e->pid);
	if (e->cpu_known)
		printf(",\"cpu_seconds\":%.6f", (double)e->cg.cpu_usec / 1e6);
	else
		printf(",\"cpu_seconds\":null");
	if (e->cpu_percent >= 0)
		printf(",\"cpu_percent\":%.2f", e->cpu_percent);
	else
		printf(",\"cpu_percent\":null");
	printf(",\"interval\":%g", interval);
	json_ll("mem_current", e->cg.mem_current);
	json_ll("mem_peak", e->cg.mem_peak);
	json_ll("pids", e->cg.pids);
	json_ll("io_read", e->cg.io_read);
	json_ll("io_write", e->cg.io_write);
	json_ll("oom_kills", e->cg.oom_kills);
	json_ll("net_rx_bytes", e->net_rx);
	json_ll("net_tx_bytes", e->net_tx);
	printf(",\"cables\":[");
	for (unsigned i = 0; i < e->ncables; i++) {
		printf("%s{\"host\":", i ? "," : "");
		json_str(stdout, e->cables[i].hostif);
		printf(",\"inside\":\"eth%u\",\"rx_bytes\":%llu,\"tx_bytes\":%llu}", e->cables[i].eth,
		       e->cables[i].rx, e->cables[i].tx);
	}
	printf("]}");
}

/* One text row's cells, in column order. */
enum { C_HOST, C_NAME, C_CPU, C_PCT, C_MEM, C_PEAK, C_PIDS, C_READ, C_WRITE, C_OOM, C_RX, C_TX,
       C_N };
static const char *const heads[C_N] = { "HOST", "NAME", "CPU", "CPU%", "MEM", "PEAK", "PIDS",
					"READ", "WRITE", "OOM", "NET-RX", "NET-TX" };

static void row_cells(const struct stats_entry *e, char cell[C_N][32])
{
	snprintf(cell[C_HOST], 32, "%.31s", stats_hostname());
	snprintf(cell[C_NAME], 32, "%.31s", e->name);
	if (e->cpu_known)
		stats_fmt_cpu(e->cg.cpu_usec, cell[C_CPU], 32);
	else
		snprintf(cell[C_CPU], 32, "-");
	stats_fmt_percent(e->cpu_percent, cell[C_PCT], 32);
	stats_fmt_bytes(e->cg.mem_current, cell[C_MEM], 32);
	stats_fmt_bytes(e->cg.mem_peak, cell[C_PEAK], 32);
	if (e->cg.pids >= 0)
		snprintf(cell[C_PIDS], 32, "%lld", e->cg.pids);
	else
		snprintf(cell[C_PIDS], 32, "-");
	stats_fmt_bytes(e->cg.io_read, cell[C_READ], 32);
	stats_fmt_bytes(e->cg.io_write, cell[C_WRITE], 32);
	if (e->cg.oom_kills >= 0)
		snprintf(cell[C_OOM], 32, "%lld", e->cg.oom_kills);
	else
		snprintf(cell[C_OOM], 32, "-");
	stats_fmt_bytes(e->net_rx, cell[C_RX], 32);
	stats_fmt_bytes(e->net_tx, cell[C_TX], 32);
}

static void print_text(const struct stats_set *set)
{
	char (*cells)[C_N][32] = xcalloc(set->n ? set->n : 1, sizeof *cells);
	int width[C_N];

	for (int c = 0; c < C_N; c++)
		width[c] = (int)strlen(heads[c]);
	for (size_t i = 0; i < set->n; i++) {
		row_cells(&set->e[i], cells[i]);
		for (int c = 0; c < C_N; c++)
			if ((int)strlen(cells[i][c]) > width[c])
				width[c] = (int)strlen(cells[i][c]);
	}
	/* host and name left-aligned, the figures right-aligned */
	for (size_t i = 0; i <= set->n; i++) {
		for (int c = 0; c < C_N; c++) {
			const char *s = i ? cells[i - 1][c] : heads[c];
			if (c == C_HOST)
				printf("%-*s", width[c], s);
			else if (c == C_NAME)
				printf(" %-*s", width[c], s);
			else if (c == C_N - 1)
				printf("  %*s\n", width[c], s);
			else
				printf("  %*s", width[c], s);
		}
	}
	free(cells);
}

int cmd_stats(int argc, char **argv)
{
	_cleanup_free_ char *name = NULL;
	const char *arg = NULL;
	bool all = false, json = false;
	double interval = 1.0;
	struct stats_set first, now;
	int status;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;

		if (!strcmp(a, "--json"))
			json = true;
		else if (!strcmp(a, "-a") || !strcmp(a, "--all"))
			all = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_usage(stdout, "stats");
			return 0;
		} else if (!strcmp(a, "-i") || !strcmp(a, "--interval")) {
			if (++i >= argc)
				goto usage;
			val = argv[i];
		} else if (str_startswith(a, "--interval="))
			val = a + strlen("--interval=");
		else if (a[0] == '-' && a[1])
			goto usage;
		else if (!arg)
			arg = a;
		else
			goto usage;
		if (val && stats_parse_interval(val, &interval) < 0) {
			fprintf(stderr, "subhost: stats: --interval wants seconds (0 to 86400), not \"%s\"\n",
				val);
			return EXIT_USAGE;
		}
	}
	if (all == !!arg)
		goto usage;
	if (arg) {
		name = cli_name(arg, &status);
		if (!name)
			return status;
	}

	if (stats_sample(name, &first) < 0)
		goto not_running;
	if (interval > 0) {
		stats_sleep(interval);
		if (stats_sample(name, &now) < 0) {
			stats_set_free(&first);
			goto not_running;
		}
		stats_rates(&now, &first);
		stats_set_free(&first);
	} else {
		now = first;
	}

	if (json) {
		printf("[");
		for (size_t i = 0; i < now.n; i++) {
			printf("%s", i ? ",\n" : "");
			print_json(&now.e[i], interval);
		}
		printf("]\n");
	} else {
		print_text(&now);
	}
	stats_set_free(&now);
	return fflush(stdout) == 0 ? 0 : EXIT_FAIL;

not_running:
	warnx_name(name, "not running");
	return EXIT_NOTRUNNING;
usage:
	cli_usage(stderr, "stats");
	return EXIT_USAGE;
}
