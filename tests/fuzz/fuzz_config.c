/* fuzz_config.c - libFuzzer target for the configuration parser
 * (config.c, config-keys.c, and the CAPS_* / SECCOMP checks they call).
 *
 *   make fuzz [FUZZ_TIME=seconds]
 *
 * Each input is written as NAME.conf in a scratch subhost directory and
 * loaded without running `!command`s (they would run a shell per input)
 * and without directory checks, so what is exercised is the parser and
 * the validation of every key.  The seed corpus is tests/fuzz/corpus:
 * real confs in overlay-boot, pretend-boot, lcboot and cage form, and the
 * unit tests' confs. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char conf[128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char dir[] = "/tmp/subhost-fuzz.XXXXXX";
	char sub[96];

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	for (const char *const *d = (const char *const[]){ "live", "root", "work", NULL }; *d; d++) {
		snprintf(sub, sizeof sub, "%s/%s", dir, *d);
		if (mkdir(sub, 0755) < 0)
			abort();
	}
	snprintf(conf, sizeof conf, "%s/fz.conf", dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_config_opts opts = { .no_commands = true, .no_fs_checks = true };
	struct sh_config cfg;
	struct sh_err err = { 0 };
	int fd = open(conf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (config_load(conf, &opts, &cfg, &err) < 0) {
		/* every error says something */
		if (!err.msg[0])
			abort();
	}
	config_free(&cfg);
	return 0;
}
