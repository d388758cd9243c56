/* cmd-top.c - `subhost top [--interval S] [--sort cpu|mem|pids|name] [--once]`:
 * a live view of the running subhosts' accounting, refreshed every S
 * seconds.
 *
 * Plain escapes only (cursor home, erase to end of line / of screen,
 * reverse video), which every VT100 descendant understands, so it works
 * over ssh with any TERM and needs no curses.  The alternate screen and
 * the hidden cursor are asked for too; a terminal without them ignores the
 * request, and the cursor is left below the last frame so that the prompt
 * comes back in a sane place either way.
 *
 * The terminal goes to non-canonical, no-echo mode (ISIG kept, so ^C is
 * SIGINT) and is restored on q, on SIGINT/SIGTERM/SIGHUP (then the signal
 * is raised again, so the caller sees how we died), and around a ^Z
 * stop.  Signals are blocked except inside ppoll(), so the handlers only
 * set flags and all the work happens in the loop.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include "cli.h"
#include "stats.h"

enum sort_key { SORT_CPU, SORT_MEM, SORT_PIDS, SORT_NAME };
static const char *const sort_names[] = { "cpu", "mem", "pids", "name" };

static struct termios saved_tio;
static bool tio_raw;            /* saved_tio holds what to restore */
static bool screen_on;          /* alternate screen asked for */
static volatile sig_atomic_t sig_quit, sig_winch, sig_tstp, sig_cont;

static void on_signal(int sig)
{
	switch (sig) {
	case SIGWINCH: sig_winch = 1; break;
	case SIGTSTP: sig_tstp = 1; break;
	case SIGCONT: sig_cont = 1; break;
	default: sig_quit = sig; break;
	}
}

static void out_str(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void tty_restore(void)
{
	if (screen_on) {
		static const char leave[] = "\033[0m\033[?25h\033[?1049l";
		out_str(leave, sizeof leave - 1);
		screen_on = false;
	}
	if (tio_raw) {
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
		tio_raw = false;
	}
}

static void tty_enter(bool keys)
{
	static const char enter[] = "\033[?1049h\033[?25l\033[H\033[2J";
	struct termios t;

	if (keys && tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
		t = saved_tio;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | IEXTEN);
		t.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) == 0)
			tio_raw = true;
	}
	out_str(enter, sizeof enter - 1);
	screen_on = true;
}

static void term_size(int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

static int cmp_entries(const void *pa, const void *pb, void *arg)
{
	const struct stats_entry *a = pa, *b = pb;
	enum sort_key key = *(const enum sort_key *)arg;
	double x = 0, y = 0;

	switch (key) {
	case SORT_CPU: x = a->cpu_percent; y = b->cpu_percent; break;
	case SORT_MEM: x = (double)a->cg.mem_current; y = (double)b->cg.mem_current; break;
	case SORT_PIDS: x = (double)a->cg.pids; y = (double)b->cg.pids; break;
	case SORT_NAME: break;
	}
	if (x != y)
		return x > y ? -1 : 1;  /* biggest first; unknown (-1) last */
	return strcmp(a->name, b->name);
}

/* Append one line, cut to cols columns (everything we print is ASCII). */
static void line(FILE *f, bool ansi, bool reverse, int cols, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void line(FILE *f, bool ansi, bool reverse, int cols, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (cols > 0 && n > cols)
		buf[cols] = '\0';
	if (ansi)
		fprintf(f, "%s%s\033[0m\033[K\r\n", reverse ? "\033[7m" : "", buf);
	else
		fprintf(f, "%s\n", buf);
}

/* One frame.  ansi: for the terminal (home, erase, at most rows-1 lines);
 * else plain lines for --once. */
static void draw(const struct stats_set *set, enum sort_key key, double interval, bool ansi)
{
	char *frame = NULL, when[32];
	size_t len = 0, shown;
	FILE *f = open_memstream(&frame, &len);
	int cols = 0, rows = 0, namew = 4, maxrows;
	time_t t = time(NULL);
	struct tm tm;

	if (!f)
		return;
	if (ansi || isatty(STDOUT_FILENO))
		term_size(&cols, &rows);
	for (size_t i = 0; i < set->n; i++)
		if ((int)strlen(set->e[i].name) > namew)
			namew = (int)strlen(set->e[i].name);
	strftime(when, sizeof when, "%H:%M:%S", localtime_r(&t, &tm));

	if (ansi)
		fputs("\033[H", f);
	line(f, ansi, false, cols, "subhost top - %s - %s - %zu subhost%s - sort: %s - every %gs",
	     stats_hostname(), when, set->n, set->n == 1 ? "" : "s", sort_names[key], interval);
	if (ansi)
		line(f, ansi, false, cols, "keys: q quit, sort by c cpu, m memory, p pids, n name");
	line(f, ansi, false, cols, "%s", "");
	line(f, ansi, true, cols, "%-*s %7s %-8s %6s %8s %6s %6s %5s %6s %6s %4s %7s %7s", namew, "NAME",
	     "PID", "STATE", "CPU%", "CPU", "MEM", "PEAK", "PIDS", "READ", "WRITE", "OOM", "NET-RX",
	     "NET-TX");
	/* the 4 lines above, and the last row stays empty (no scrolling) */
	maxrows = ansi ? rows - 5 : -1;
	if (maxrows >= 0 && set->n > (size_t)maxrows)
		maxrows = maxrows > 0 ? maxrows - 1 : 0;     /* room for "... N more" */
	else
		maxrows = -1;
	for (shown = 0; shown < set->n; shown++) {
		const struct stats_entry *e = &set->e[shown];
		char pct[16], cpu[32], mem[16], peak[16], pids[24], rd[16], wr[16], oom[24], rx[16], tx[16];

		if (maxrows >= 0 && (int)shown >= maxrows)
			break;
		stats_fmt_percent(e->cpu_percent, pct, sizeof pct);
		if (e->cpu_known)
			stats_fmt_cpu(e->cg.cpu_usec, cpu, sizeof cpu);
		else
			snprintf(cpu, sizeof cpu, "-");
		stats_fmt_bytes(e->cg.mem_current, mem, sizeof mem);
		stats_fmt_bytes(e->cg.mem_peak, peak, sizeof peak);
		snprintf(pids, sizeof pids, e->cg.pids >= 0 ? "%lld" : "-", e->cg.pids);
		stats_fmt_bytes(e->cg.io_read, rd, sizeof rd);
		stats_fmt_bytes(e->cg.io_write, wr, sizeof wr);
		snprintf(oom, sizeof oom, e->cg.oom_kills >= 0 ? "%lld" : "-", e->cg.oom_kills);
		stats_fmt_bytes(e->net_rx, rx, sizeof rx);
		stats_fmt_bytes(e->net_tx, tx, sizeof tx);
		line(f, ansi, false, cols, "%-*s %7d %-8s %6s %8s %6s %6s %5s %6s %6s %4s %7s %7s", namew,
		     e->name, (int)e->pid, e->status, pct, cpu, mem, peak, pids, rd, wr, oom, rx, tx);
	}
	if (shown < set->n)
		line(f, ansi, false, cols, "... %zu more", set->n - shown);
	if (ansi)
		fputs("\033[J", f);
	if (fclose(f) == 0) {
		out_str(frame, len);
	}
	free(frame);
}

static void usage_err(void)
{
	cli_usage(stderr, "top");
}

int cmd_top(int argc, char **argv)
{
	enum sort_key key = SORT_CPU;
	double interval = 2.0, next_ms;
	bool once = false, keys;
	struct stats_set prev, cur;
	struct sigaction sa;
	sigset_t block, orig;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGWINCH, SIGCONT };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		bool is_sort = false;

		if (!strcmp(a, "--once") || !strcmp(a, "-1"))
			once = true;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_usage(stdout, "top");
			return 0;
		} else if (!strcmp(a, "-i") || !strcmp(a, "--interval") || !strcmp(a, "-s") ||
			   !strcmp(a, "--sort")) {
			is_sort = !strcmp(a, "-s") || !strcmp(a, "--sort");
			if (++i >= argc) {
				usage_err();
				return EXIT_USAGE;
			}
			val = argv[i];
		} else if (str_startswith(a, "--interval=")) {
			val = a + strlen("--interval=");
		} else if (str_startswith(a, "--sort=")) {
			val = a + strlen("--sort=");
			is_sort = true;
		} else {
			usage_err();
			return EXIT_USAGE;
		}
		if (!val)
			continue;
		if (is_sort) {
			size_t k;
			for (k = 0; k < sizeof sort_names / sizeof *sort_names; k++)
				if (!strcmp(val, sort_names[k]))
					break;
			if (k == sizeof sort_names / sizeof *sort_names) {
				fprintf(stderr, "subhost: top: --sort wants cpu, mem, pids or name, not \"%s\"\n",
					val);
				return EXIT_USAGE;
			}
			key = (enum sort_key)k;
		} else if (stats_parse_interval(val, &interval) < 0 || interval < 0.1) {
			fprintf(stderr, "subhost: top: --interval wants seconds (0.1 to 86400), not \"%s\"\n",
				val);
			return EXIT_USAGE;
		}
	}

	/* The first frame's CPU use is measured over a shorter time, so that
	 * something shows at once. */
	stats_sample(NULL, &prev);
	stats_sleep(interval < 0.5 ? interval : 0.5);
	stats_sample(NULL, &cur);
	stats_rates(&cur, &prev);
	stats_set_free(&prev);
	qsort_r(cur.e, cur.n, sizeof *cur.e, cmp_entries, &key);
	if (once) {
		draw(&cur, key, interval, false);
		stats_set_free(&cur);
		return 0;
	}

	sigemptyset(&block);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &orig);
	keys = isatty(STDIN_FILENO);
	atexit(tty_restore);
	tty_enter(keys);
	draw(&cur, key, interval, true);
	next_ms = now_ms() + interval * 1000;

	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		double wait = next_ms - now_ms();
		struct timespec ts;
		bool redraw = false;
		int r;

		if (wait < 0)
			wait = 0;
		ts.tv_sec = (time_t)(wait / 1000);
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec * 1000) * 1e6);
		r = ppoll(&pfd, keys ? 1 : 0, &ts, &orig);
		if (sig_quit) {
			int sig = sig_quit;
			stats_set_free(&cur);
			tty_restore();
			signal(sig, SIG_DFL);
			sigprocmask(SIG_SETMASK, &orig, NULL);
			raise(sig);
			return 128 + sig;
		}
		if (sig_tstp) {
			sig_tstp = 0;
			tty_restore();
			raise(SIGSTOP);         /* blocked SIGTSTP would not stop us */
			sig_cont = 1;
		}
		if (sig_cont) {
			sig_cont = 0;
			tty_restore();          /* the shell may have set its own modes */
			tty_enter(keys);
			redraw = true;
		}
		if (sig_winch) {
			sig_winch = 0;
			redraw = true;
		}
		if (r > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pfd.revents & POLLIN))
			break;
		if (r > 0 && (pfd.revents & POLLIN)) {
			char buf[64];
			ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
			bool quit = n == 0;

			for (ssize_t i = 0; i < n; i++) {
				switch (buf[i]) {
				case 'q': case 'Q': quit = true; break;
				case 'c': case 'C': key = SORT_CPU; redraw = true; break;
				case 'm': case 'M': key = SORT_MEM; redraw = true; break;
				case 'p': case 'P': key = SORT_PIDS; redraw = true; break;
				case 'n': case 'N': key = SORT_NAME; redraw = true; break;
				case ' ': case '\f': redraw = true; break;
				default: break;
				}
			}
			if (quit)
				break;
		}
		if (now_ms() >= next_ms) {
			prev = cur;
			stats_sample(NULL, &cur);
			stats_rates(&cur, &prev);
			stats_set_free(&prev);
			next_ms = now_ms() + interval * 1000;
			redraw = true;
		}
		if (redraw) {
			qsort_r(cur.e, cur.n, sizeof *cur.e, cmp_entries, &key);
			draw(&cur, key, interval, true);
		}
	}
	stats_set_free(&cur);
	tty_restore();
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return 0;
}
