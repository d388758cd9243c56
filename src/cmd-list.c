/* cmd-list.c - `subhost list [--json]` and `subhost status NAME [--json]` */
#include <string.h>
#include <time.h>
#include "cgroup.h"
#include "cli.h"
#include "net.h"
#include "state.h"
#include "supervisor.h"

static void fmt_uptime(long long s, char *buf, size_t size)
{
	if (s < 0)
		s = 0;
	if (s >= 86400)
		snprintf(buf, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, size, "%llds", s);
}

/* Read NAME's state if it runs; clean it if its supervisor died.
 * Returns 1 (running, st filled), 0 (absent or cleaned). */
static int probe_running(const char *name, struct sh_state *st, bool *was_stale)
{
	int stale_fd, probe = state_probe(name, &stale_fd);

	*was_stale = false;
	if (probe == 2) {
		subhost_clean_stale(name);
		close(stale_fd);
		*was_stale = true;
		return 0;
	}
	if (probe != 1 || state_read(name, st) < 0)
		return 0;
	return 1;
}

static void print_json_state(const struct sh_state *st, bool detail)
{
	long long up = (long long)time(NULL) - st->started;

	printf("{\"name\":");
	json_str(stdout, st->name);
	printf(",\"state\":");
	json_str(stdout, st->status);
	printf(",\"mode\":");
	json_str(stdout, st->mode);
	printf(",\"pid\":%d,\"supervisor_pid\":%d,\"uptime\":%lld,\"boots\":%u",
	       (int)st->pid, (int)st->supervisor_pid, up, st->boots);
	printf(",\"live\":");
	json_str(stdout, st->live);
	printf(",\"lower\":");
	json_str(stdout, st->lower);
	if (detail) {
		const char *keys[] = { "conf", "base", "upper", "log", "cgroup", "hostname" };
		const char *vals[] = { st->conf, st->base, st->upper, st->log, st->cgroup, st->hostname };
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
			printf(",\"%s\":", keys[i]);
			json_str(stdout, vals[i]);
		}
		printf(",\"netns\":\"%s/%s\"", NETNS_RUN_DIR, st->name);
		printf(",\"processes\":%d", st->cgroup && *st->cgroup ? cgroup_nprocs(st->cgroup) : -1);
	}
	printf(",\"cables\":[");
	for (unsigned i = 0, shown = 0; i < st->ncables; i++) {
		struct net_cable_info ci;
		memset(&ci, 0, sizeof ci);
		if (net_cable_info(st->name, i, &ci) < 0)
			continue;       /* e.g. its host end was deleted by hand */
		printf("%s{\"host\":", shown++ ? "," : "");
		json_str(stdout, ci.hostif);
		printf(",\"inside\":\"eth%u\",\"bridge\":", i);
		json_str(stdout, ci.bridge);
		printf(",\"mac\":");
		json_str(stdout, ci.mac);
		printf(",\"rx_bytes\":%llu,\"tx_bytes\":%llu}", (unsigned long long)ci.rx_bytes,
		       (unsigned long long)ci.tx_bytes);
	}
	printf("]}");
}

int cmd_list(int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	char **names;
	int shown = 0;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		cli_usage(stdout, "list");
		return 0;
	}
	if (argc > 1 && !json) {
		cli_usage(stderr, "list");
		return EXIT_USAGE;
	}
	names = state_names();
	if (json)
		printf("[");
	else
		printf("%-15s %-9s %8s %8s  %-30s %s\n", "NAME", "STATE", "PID", "UPTIME", "ROOT", "LOWER");
	for (size_t i = 0; names[i]; i++) {
		struct sh_state st;
		bool stale;
		char up[32];

		if (!probe_running(names[i], &st, &stale)) {
			if (stale)
				fprintf(stderr, "subhost: %s: removed stale state of a dead supervisor\n",
					names[i]);
			free(names[i]);
			continue;
		}
		if (json) {
			printf("%s", shown ? "," : "");
			print_json_state(&st, false);
		} else {
			fmt_uptime((long long)time(NULL) - st.started, up, sizeof up);
			printf("%-15s %-9s %8d %8s  %-30s %s\n", st.name, st.status, (int)st.pid, up,
			       st.live, st.lower);
		}
		shown++;
		state_free(&st);
		free(names[i]);
	}
	free(names);
	if (json)
		printf("]\n");
	return 0;
}

int cmd_status(int argc, char **argv)
{
	_cleanup_free_ char *name = NULL;
	bool json = false, stale;
	struct sh_state st;
	const char *arg = NULL;
	int status;
	char up[32];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cli_usage(stdout, "status");
			return 0;
		} else if (!arg)
			arg = argv[i];
		else {
			cli_usage(stderr, "status");
			return EXIT_USAGE;
		}
	}
	if (!arg) {
		cli_usage(stderr, "status");
		return EXIT_USAGE;
	}
	name = cli_name(arg, &status);
	if (!name)
		return status;
	if (!probe_running(name, &st, &stale)) {
		warnx_name(name, stale ? "not running (removed the state its dead supervisor left)"
				      : "not running");
		return EXIT_NOTRUNNING;
	}
	if (json) {
		print_json_state(&st, true);
		printf("\n");
	} else {
		fmt_uptime((long long)time(NULL) - st.started, up, sizeof up);
		printf("name:        %s\nstate:       %s\nmode:        %s\npid:         %d\n"
		       "supervisor:  %d\nuptime:      %s\nboots:       %u\nhostname:    %s\n"
		       "conf:        %s\nbase:        %s\nroot:        %s\nupper:       %s\n"
		       "lower:       %s\nnetns:       %s/%s\ncgroup:      %s\nprocesses:   %d\n"
		       "log:         %s\n",
		       st.name, st.status, st.mode, (int)st.pid, (int)st.supervisor_pid, up,
		       st.boots, st.hostname, st.conf, st.base, st.live, st.upper, st.lower,
		       NETNS_RUN_DIR, st.name, st.cgroup,
		       st.cgroup && *st.cgroup ? cgroup_nprocs(st.cgroup) : -1, st.log);
		for (unsigned i = 0; i < st.ncables; i++) {
			struct net_cable_info ci;
			memset(&ci, 0, sizeof ci);
			if (net_cable_info(st.name, i, &ci) == 0)
				printf("cable %u:     eth%u <-> %s%s%s mac %s rx %llu tx %llu\n", i, i,
				       ci.hostif, ci.bridge[0] ? " on " : "", ci.bridge, ci.mac,
				       (unsigned long long)ci.rx_bytes, (unsigned long long)ci.tx_bytes);
		}
	}
	state_free(&st);
	return 0;
}
