/* config-keys.c - interpret and validate each key of a subhost
 * configuration file (SPEC section 2).
 *
 * Pass 3 of config.c's three, plus NAME and BASE, which pass 2 needs
 * first: resolve paths against BASE, apply overlay-boot's defaults and
 * check everything that can be checked before anything on the host is
 * touched.  The entries come from config.c already parsed and, but for
 * NAME and BASE, evaluated; nothing here reads the file.
 */
#include "config.h"
#include "config-internal.h"

#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "hardening.h"
#include "seccomp-filter.h"

/* The occurrence that counts for a non-repeating key, or NULL. */
static struct ent *ent_get(struct ctx *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->nents; i++)
		if (c->ents[i].final && !strcmp(c->ents[i].def->key, key))
			return &c->ents[i];
	return NULL;
}

/* A set, non-empty value (overlay-boot treats "KEY=" as unset). */
static const char *val_get(struct ctx *c, const char *key, int *line)
{
	struct ent *e = ent_get(c, key);

	*line = e ? e->line : 0;
	return e && e->val[0] ? e->val : NULL;
}

/* ---- paths ------------------------------------------------------------ */

/* Make p absolute against dir and clean it lexically ("//", ".", ".."). */
char *cfg_path_lexical(const char *dir, const char *p)
{
	_cleanup_free_ char *full = p[0] == '/' ? xstrdup(p) : path_join(dir, p);
	char *out = xmalloc(strlen(full) + 2), *tok, *save = NULL;
	size_t o = 0;

	for (tok = strtok_r(full, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		size_t len = strlen(tok);

		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, "..")) {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			continue;
		}
		out[o++] = '/';
		memcpy(out + o, tok, len);
		o += len;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* Absolute path of p (relative to dir): canonical when it exists. */
static char *path_resolve(const char *dir, const char *p)
{
	_cleanup_free_ char *full = p[0] == '/' ? xstrdup(p) : path_join(dir, p);
	char *real = realpath(full, NULL);

	return real ? real : cfg_path_lexical("/", full);
}

/* KEY=PATH must be an existing directory. */
static int check_dir(struct ctx *c, const char *key, int line, const char *path)
{
	struct stat st;

	if (c->opts->no_fs_checks)
		return 0;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return err_cfg(c->err, "%s: %s=%s does not exist: expected an existing directory",
				       cfg_where(c, line), key, path);
		return err_cfg(c->err, "%s: %s=%s: %s: expected an accessible directory",
			       cfg_where(c, line), key, path, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return err_cfg(c->err, "%s: %s=%s is not a directory: expected a directory",
			       cfg_where(c, line), key, path);
	return 0;
}

/* ---- NAME and BASE ---------------------------------------------------- */

int config_check_name(const char *name, struct sh_err *err)
{
	size_t len = strlen(name), i;
	bool ok = len >= 1 && len <= SH_NAME_MAX && name[0] != '-' &&
		  strcmp(name, ".") && strcmp(name, "..");

	for (i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)name[i]) || strchr("_.-", name[i]);
	if (!ok)
		return err_cfg(err, "name \"%s\" is invalid: expected 1-%d characters of [A-Za-z0-9_.-], "
			       "not \".\" or \"..\", not starting with '-'", name, SH_NAME_MAX);
	return 0;
}

int cfg_load_name(struct ctx *c)
{
	struct ent *e = ent_get(c, "NAME");
	int r;

	if (e) {
		r = cfg_eval_entry(c, e, c->confdir);
		if (r < 0)
			return r;
	}
	c->cfg->name = xstrdup(e && e->val[0] ? e->val : c->default_name);
	r = config_check_name(c->cfg->name, c->err);
	if (r < 0)
		err_prefix(c->err, "%s: NAME", cfg_where(c, e && e->val[0] ? e->line : 0));
	return r;
}

int cfg_load_base(struct ctx *c)
{
	struct ent *e = ent_get(c, "BASE");
	int r;

	if (e) {
		r = cfg_eval_entry(c, e, c->confdir);
		if (r < 0)
			return r;
	}
	if (!e || !e->val[0])
		return err_cfg(c->err, "%s: BASE is %s: expected BASE=<subhost directory>",
			       cfg_where(c, e ? e->line : 0), e ? "empty" : "not set");
	c->cfg->base = path_resolve(c->confdir, e->val);
	return check_dir(c, "BASE", e->line, c->cfg->base);
}

/* ---- DISKS and IMAGE -------------------------------------------------- */

static int load_list(struct ctx *c, const struct ent *e, struct sh_list *out);

/* Names the subhost's /dev has already (devfs.c). */
static const char *const dev_names[] = {
	"null", "zero", "full", "random", "urandom", "tty", "console", "ptmx", "fd",
	"stdin", "stdout", "stderr", "pts", "shm", "mqueue", "core",
};

/* A disk image must exist: a regular file, or a block device. */
static int check_image(struct ctx *c, int line, const char *what, const char *path)
{
	struct stat st;

	if (c->opts->no_fs_checks)
		return 0;
	if (stat(path, &st) < 0)
		return err_cfg(c->err, "%s: %s: image %s %s: expected an existing disk image file",
			       cfg_where(c, line), what, path,
			       errno == ENOENT ? "does not exist" : strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return err_cfg(c->err, "%s: %s: image %s is not a regular file: expected a disk image file",
			       cfg_where(c, line), what, path);
	return 0;
}

/* One DISKS entry, DEV:PART:IMAGE; PART empty or 0 is the whole image. */
static int load_disk(struct ctx *c, int line, const char *entry)
{
	struct sh_config *cfg = c->cfg;
	const char *c1 = strchr(entry, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *p;
	struct sh_disk *d;
	size_t i, devlen;
	long part = 0;

	if (!c2 || !c2[1])
		return err_cfg(c->err, "%s: DISKS entry \"%s\" is malformed: expected DEV:PART:IMAGE, "
			       "as in vda:1:/disks/disk1.raw", cfg_where(c, line), entry);
	devlen = (size_t)(c1 - entry);
	for (p = entry; p < c1 && (isalnum((unsigned char)*p) || *p == '_' || *p == '-'); p++)
		;
	if (devlen < 1 || devlen > 15 || p < c1 || !isalpha((unsigned char)entry[0]))
		return err_cfg(c->err, "%s: DISKS entry \"%s\": device name \"%.*s\" is invalid: "
			       "expected 1-15 letters, digits, '_' or '-', starting with a letter, as in vda",
			       cfg_where(c, line), entry, (int)devlen, entry);
	/* at most three digits count (longer is refused below): no overflow */
	for (p = c1 + 1; p < c2 && isdigit((unsigned char)*p); p++)
		if (p - c1 <= 3)
			part = part * 10 + (*p - '0');
	if (p < c2 || c2 - c1 > 4)
		return err_cfg(c->err, "%s: DISKS entry \"%s\": partition \"%.*s\" is invalid: "
			       "expected a number from 1 to 999, or 0 or nothing for a filesystem on the whole image",
			       cfg_where(c, line), entry, (int)(c2 - c1 - 1), c1 + 1);
	cfg->disks = xrealloc(cfg->disks, (cfg->ndisks + 1) * sizeof *cfg->disks);
	d = &cfg->disks[cfg->ndisks++];
	*d = (struct sh_disk){
		.dev = xasprintf("%.*s", (int)devlen, entry),
		.part = (int)part,
		.image = path_resolve(cfg->base, c2 + 1),
		.line = line,
	};
	d->node = part ? xasprintf("%s%ld", d->dev, part) : xstrdup(d->dev);
	if (cfg->ndisks > 1) {
		/* a block device inside: its name must be free in /dev */
		for (i = 0; i < sizeof dev_names / sizeof *dev_names; i++)
			if (!strcmp(d->node, dev_names[i]))
				return err_cfg(c->err, "%s: DISKS entry \"%s\": /dev/%s exists inside already: "
					       "expected another device name", cfg_where(c, line), entry, d->node);
		for (i = 1; i + 1 < cfg->ndisks; i++)
			if (!strcmp(d->node, cfg->disks[i].node))
				return err_cfg(c->err, "%s: DISKS entry \"%s\": /dev/%s is named twice: "
					       "expected a distinct DEV and PART per disk", cfg_where(c, line),
					       entry, d->node);
	}
	return check_image(c, line, "DISKS", d->image);
}

/* DISKS and IMAGE come first: they change the defaults of the root. */
static int load_disks(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	struct ent *e = ent_get(c, "DISKS");
	struct sh_list l = { NULL, 0 };
	const char *v;
	size_t i;
	int r = 0, line;

	if (e && e->val[0]) {
		r = load_list(c, e, &l);
		for (i = 0; r == 0 && i < l.n; i++)
			r = load_disk(c, e->line, l.v[i]);
		sh_list_free(&l);
		if (r < 0)
			return r;
	}
	v = val_get(c, "IMAGE", &line);
	if (!v)
		return 0;
	cfg->image = path_resolve(cfg->base, v);
	cfg->image_mnt = path_join(cfg->base, "mnt");
	cfg->image_line = line;
	return check_image(c, line, "IMAGE", cfg->image);
}

/* With IMAGE, paths inside BASE/mnt lie on the image, which only the
 * subhost's own mount namespace has mounted: they are checked at boot. */
static bool on_image(const struct sh_config *cfg, const char *path)
{
	size_t n = cfg->image_mnt ? strlen(cfg->image_mnt) : 0;

	return n && !strncmp(path, cfg->image_mnt, n) && (path[n] == '/' || !path[n]);
}

/* ---- the root: LIVE, UPPER, WORK, LOWER ------------------------------- */

static char *path_key(struct ctx *c, const char *key, const char *def, int *line)
{
	const char *v = val_get(c, key, line);

	return path_resolve(c->cfg->base, v ? v : def);
}

bool config_layer_nested(const char *dir, const char *anc)
{
	struct stat a, b;
	size_t n = strlen(anc);

	if (strcmp(anc, "/") && (strncmp(dir, anc, n) || (dir[n] && dir[n] != '/')))
		return false;
	return stat(dir, &a) == 0 && stat(anc, &b) == 0 && a.st_dev == b.st_dev;
}

/* Nested layers are fine (overlay.c presents the outer one through a view
 * of its own); a layer listed twice is a mistake. */
int config_check_layers(const char *where, const char *v, const struct sh_list *l,
			struct sh_err *err)
{
	for (size_t i = 0; i < l->n; i++) {
		struct stat a, b;

		if (l->v[i][0] != '/' || stat(l->v[i], &a) < 0)
			continue;
		for (size_t j = i + 1; j < l->n; j++) {
			char also[PATH_MAX + 16] = "";

			if (l->v[j][0] != '/' || stat(l->v[j], &b) < 0 || a.st_dev != b.st_dev ||
			    a.st_ino != b.st_ino)
				continue;
			if (strcmp(l->v[i], l->v[j]))
				snprintf(also, sizeof also, " (also as %s)", l->v[j]);
			return err_cfg(err, "%s: LOWER=%s: layer %s is listed twice%s: "
				       "expected each directory once", where, v, l->v[i], also);
		}
	}
	return 0;
}

static int load_lower(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	int line, r;
	const char *v = val_get(c, "LOWER", &line);
	/* DISKS: the root disk is mounted on LOWER (default LIVE, under the
	 * overlay) in the subhost's mount namespace */
	_cleanup_free_ char *copy = xstrdup(v ? v : cfg->ndisks ? cfg->live : "/");
	char *p = copy, *layer;

	cfg->lower_line = line;

	if (cfg->ndisks && v && (strchr(v, ':') || v[0] == '@'))
		return err_cfg(c->err, "%s: LOWER=%s: with DISKS, LOWER is the directory the root disk is "
			       "mounted on: expected one directory, or no LOWER", cfg_where(c, line), v);
	do {
		layer = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
		if (!*layer)
			return err_cfg(c->err, "%s: LOWER=%s has an empty layer: expected DIR[:DIR...] or @OTHER",
				       cfg_where(c, line), v);
		if (layer[0] == '@') {
			r = config_check_name(layer + 1, c->err);
			if (r < 0) {
				err_prefix(c->err, "%s: LOWER layer %s", cfg_where(c, line), layer);
				return r;
			}
			cfg_list_push(&cfg->lower, xstrdup(layer));
			continue;
		}
		cfg_list_push(&cfg->lower, path_resolve(cfg->base, layer));
		r = on_image(cfg, cfg->lower.v[cfg->lower.n - 1]) ? 0 :
		    check_dir(c, "LOWER", line, cfg->lower.v[cfg->lower.n - 1]);
		if (r < 0)
			return r;
		if (!strcmp(cfg->lower.v[cfg->lower.n - 1], "/"))
			cfg->lower_has_host_root = true;
	} while (p);
	if (!c->opts->no_fs_checks) {
		r = config_check_layers(cfg_where(c, line), v, &cfg->lower, c->err);
		if (r < 0)
			return r;
	}
	cfg->bind_root = cfg->lower.n == 1 && !strcmp(cfg->lower.v[0], cfg->upper);
	return 0;
}

int cfg_load_root(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	int lline, uline, wline, r;
	struct stat ust, wst;

	if ((r = load_disks(c)) < 0)
		return r;
	cfg->live = path_key(c, "LIVE", "live", &lline);
	cfg->upper = path_key(c, "UPPER", cfg->image ? "mnt/root" : "root", &uline);
	cfg->work = path_key(c, "WORK", cfg->image ? "mnt/work" : "work", &wline);
	if ((r = check_dir(c, "LIVE", lline, cfg->live)) < 0)
		return r;
	if (!on_image(cfg, cfg->upper)) {
		if ((r = check_dir(c, "UPPER", uline, cfg->upper)) < 0)
			return r;
		if (!c->opts->no_fs_checks && access(cfg->upper, W_OK) < 0)
			return err_cfg(c->err, "%s: UPPER=%s is not writable (%s): expected a writable directory",
				       cfg_where(c, uline), cfg->upper, strerror(errno));
	}
	r = load_lower(c);
	if (r < 0 || cfg->bind_root || c->opts->no_fs_checks || on_image(cfg, cfg->upper) ||
	    on_image(cfg, cfg->work))
		return r;
	/* overlayfs needs WORK next to UPPER; it doesn't need it for a bind */
	if ((r = check_dir(c, "WORK", wline, cfg->work)) < 0)
		return r;
	if (stat(cfg->upper, &ust) < 0 || stat(cfg->work, &wst) < 0)
		return err_sys(c->err, errno, "%s: stat UPPER/WORK", cfg_where(c, wline));
	if (ust.st_dev != wst.st_dev)
		return err_cfg(c->err, "%s: WORK=%s is on another filesystem than UPPER=%s: "
			       "overlayfs needs both on one filesystem", cfg_where(c, wline ? wline : uline),
			       cfg->work, cfg->upper);
	return 0;
}

/* ---- CABLES / BRIDGES ------------------------------------------------- */

static bool ifname_valid(const char *s)
{
	size_t len = strlen(s);

	if (len < 1 || len > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

/* Fill cable from its MAC side: "", ".N" or six hex pairs. */
static int cable_mac(struct ctx *c, struct sh_cable *cab, const char *key, const char *entry,
		     const char *form, const char *mac)
{
	unsigned long octet;
	size_t i;
	bool zero = true;
	char *end;

	if (!*mac)
		return 0;
	if (mac[0] == '.') {
		long vlan;

		errno = 0;
		vlan = strtol(mac + 1, &end, 10);
		if (!isdigit((unsigned char)mac[1]) || *end || errno)
			return err_cfg(c->err, "%s: %s entry \"%s\": VLAN \"%s\" is malformed: expected .N with N from 1 to 4094",
				       cfg_where(c, cab->line), key, entry, mac);
		if (vlan < 1 || vlan > 4094)
			return err_cfg(c->err, "%s: %s entry \"%s\": VLAN %ld is out of range: expected .1 to .4094",
				       cfg_where(c, cab->line), key, entry, vlan);
		cab->vlan = (int)vlan;
		return 0;
	}
	for (i = 0; i < 17; i++) {
		if (i % 3 == 2 ? mac[i] != ':' : !isxdigit((unsigned char)mac[i]))
			break;
		if (i % 3 != 2 && mac[i] != '0')
			zero = false;
	}
	if (i < 17 || mac[17])
		return err_cfg(c->err, "%s: %s entry \"%s\": MAC \"%s\" is malformed: "
			       "expected %s with six hex pairs like 02:00:00:00:00:01, or .N for a VLAN",
			       cfg_where(c, cab->line), key, entry, mac, form);
	octet = strtoul(mac, NULL, 16);
	if (octet & 1)
		return err_cfg(c->err, "%s: %s entry \"%s\": MAC %s is a multicast address: "
			       "expected a unicast MAC (low bit of the first octet clear)",
			       cfg_where(c, cab->line), key, entry, mac);
	if (zero)
		return err_cfg(c->err, "%s: %s entry \"%s\": MAC %s is all zeros: expected a unicast MAC",
			       cfg_where(c, cab->line), key, entry, mac);
	cab->mac = xstrdup(mac);
	for (end = cab->mac; *end; end++)
		*end = (char)tolower((unsigned char)*end);
	return 0;
}

int cfg_load_cables(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	struct ent *ce = ent_get(c, "CABLES"), *be = ent_get(c, "BRIDGES"), *e;
	struct sh_list l = { NULL, 0 };
	const char *key, *form;
	char sep;
	size_t i, j;
	int r = 0;

	if (ce && be)
		return err_cfg(c->err, "%s: both CABLES (line %d) and BRIDGES are set: expected only one of them",
			       cfg_where(c, be->line), ce->line);
	e = ce ? ce : be;
	if (!e)
		return 0;
	key = e->def->key;
	sep = ce ? '=' : ':';
	form = ce ? "BRIDGE=MAC" : "BRIDGE:MAC";
	if (config_split_list(e->val, &l) < 0)
		return err_cfg(c->err, "%s: %s=%s has an unterminated quote: expected %s entries",
			       cfg_where(c, e->line), key, e->val, form);
	if (l.n == 0)
		return 0;
	cfg->cables = xcalloc(l.n, sizeof *cfg->cables);
	for (i = 0; i < l.n; i++) {
		struct sh_cable *cab = &cfg->cables[cfg->ncables++];
		char *s = strchr(l.v[i], sep);

		cab->line = e->line;
		if (!s) {
			r = err_cfg(c->err, "%s: %s entry \"%s\" has no '%c': expected %s (either side may be empty)",
				    cfg_where(c, e->line), key, l.v[i], sep, form);
			goto out;
		}
		*s = '\0';
		if (*l.v[i] && !ifname_valid(l.v[i])) {
			r = err_cfg(c->err, "%s: %s entry \"%s%c%s\": bridge name \"%s\" is invalid: "
				    "expected 1-15 characters without '/', ':' or blanks",
				    cfg_where(c, e->line), key, l.v[i], sep, s + 1, l.v[i]);
			goto out;
		}
		if (*l.v[i])
			cab->bridge = xstrdup(l.v[i]);
		*s = sep;
		r = cable_mac(c, cab, key, l.v[i], form, s + 1);
		if (r < 0)
			goto out;
		if (cab->vlan && i == 0) {
			r = err_cfg(c->err, "%s: %s entry \"%s\": a VLAN needs a previous cable: expected a %s entry before it",
				    cfg_where(c, e->line), key, l.v[i], form);
			goto out;
		}
		for (j = 0; cab->mac && j < i; j++) {
			if (cfg->cables[j].mac && !strcmp(cab->mac, cfg->cables[j].mac)) {
				r = err_cfg(c->err, "%s: %s entry \"%s\": MAC %s is used twice: "
					    "expected a distinct MAC per cable", cfg_where(c, e->line), key,
					    l.v[i], cab->mac);
				goto out;
			}
		}
		/* a VLAN hangs off the last real cable; a repeated one would
		 * name the same host interface twice */
		if (cab->vlan) {
			for (j = i; j-- > 0 && cfg->cables[j].vlan;)
				if (cfg->cables[j].vlan == cab->vlan) {
					r = err_cfg(c->err, "%s: %s entry \"%s\": VLAN %d is used twice on one cable: "
						    "expected a distinct VLAN per cable", cfg_where(c, e->line), key,
						    l.v[i], cab->vlan);
					goto out;
				}
		}
	}
out:
	sh_list_free(&l);
	return r;
}

/* NAME<i> (and NAME<i>.N for VLANs) are host interface names. */
int cfg_check_hostif_names(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	int nline, line;
	size_t i, idx = 0;
	char ifname[64];

	val_get(c, "NAME", &nline);
	line = nline ? nline : cfg->ncables ? cfg->cables[0].line : 0;
	for (i = 0; i < cfg->ncables; i++) {
		if (cfg->cables[i].vlan)
			snprintf(ifname, sizeof ifname, "%s%zu.%d", cfg->name, idx - 1, cfg->cables[i].vlan);
		else
			snprintf(ifname, sizeof ifname, "%s%zu", cfg->name, idx++);
		if (strlen(ifname) > SH_NAME_MAX)
			return err_cfg(c->err, "%s: NAME \"%s\" is too long for host interface names: "
				       "%s must fit %d characters", cfg_where(c, line), cfg->name, ifname, SH_NAME_MAX);
	}
	return 0;
}

/* ---- the rest --------------------------------------------------------- */

static int load_list(struct ctx *c, const struct ent *e, struct sh_list *out)
{
	struct sh_list l;
	size_t i;

	if (config_split_list(e->val, &l) < 0)
		return err_cfg(c->err, "%s: %s=%s is malformed (unterminated quote or ')'): "
			       "expected blank-separated words or ( a b c )", cfg_where(c, e->line),
			       e->def->key, e->val);
	for (i = 0; i < l.n; i++)
		cfg_list_push(out, l.v[i]);
	free(l.v);
	return 0;
}

static int load_start_init(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	struct ent *e = ent_get(c, "START");
	int r, line;
	const char *v;

	/* START= and START=none start nothing; unset starts the default */
	if (!e) {
		cfg_list_push(&cfg->start, xstrdup("networking"));
		cfg_list_push(&cfg->start, xstrdup("ssh"));
	} else {
		r = load_list(c, e, &cfg->start);
		if (r < 0)
			return r;
		if (cfg->start.n == 1 && !strcmp(cfg->start.v[0], "none"))
			sh_list_free(&cfg->start);
	}

	e = ent_get(c, "INIT");
	v = e && e->val[0] ? e->val : NULL;
	line = e ? e->line : 0;
	cfg->init_mode = INIT_SERVICES;
	if (!v)
		return 0;
	r = load_list(c, e, &cfg->init_argv);
	if (r < 0)
		return r;
	if (cfg->init_argv.n == 1 && !strcmp(cfg->init_argv.v[0], "sysv")) {
		sh_list_free(&cfg->init_argv);
		cfg->init_mode = INIT_SYSV;
		return 0;
	}
	if (cfg->init_argv.n == 0 || cfg->init_argv.v[0][0] != '/')
		return err_cfg(c->err, "%s: INIT=%s: expected \"sysv\" or an absolute program path "
			       "(with arguments)", cfg_where(c, line), v);
	cfg->init_mode = INIT_EXEC;
	return 0;
}

static int load_ram_size(struct ctx *c)
{
	int line;
	const char *v = val_get(c, "RAM_SIZE", &line), *p;

	if (!v)
		v = "50M";
	if (!strcmp(v, "none"))
		return 0;
	for (p = v; isdigit((unsigned char)*p); p++)
		;
	if (p == v || (*p && (!strchr("kKmMgG%", *p) || p[1])))
		return err_cfg(c->err, "%s: RAM_SIZE=%s is invalid: expected a size like 50M, 1G, 10%% or \"none\"",
			       cfg_where(c, line), v);
	c->cfg->ram_size = xstrdup(v);
	return 0;
}

static bool has_dotdot(const char *path)
{
	_cleanup_free_ char *scan = xstrdup(path);
	char *tok, *save = NULL;

	for (tok = strtok_r(scan, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (!strcmp(tok, ".."))
			return true;
	return false;
}

/* SHARE=HOSTDIR[:SUBDIR][:ro|:rw] */
static int load_share(struct ctx *c, const struct ent *e)
{
	struct sh_config *cfg = c->cfg;
	_cleanup_free_ char *v = xstrdup(e->val), *sub = NULL;
	struct sh_share *sh;
	char *colon;
	bool ro = false;
	size_t len = strlen(v);

	if (len >= 3 && (!strcmp(v + len - 3, ":ro") || !strcmp(v + len - 3, ":rw"))) {
		ro = !strcmp(v + len - 3, ":ro");
		v[len - 3] = '\0';
	}
	colon = strchr(v, ':');
	if (colon)
		*colon = '\0';
	if (!*v || (colon && !colon[1]))
		return err_cfg(c->err, "%s: SHARE=%s: expected HOSTDIR, HOSTDIR:SUBDIR, optionally followed by :ro",
			       cfg_where(c, e->line), e->val);
	/* overlay-boot's single-dir form: the same path inside */
	sub = xstrdup(colon ? colon + 1 : v);
	if (has_dotdot(sub))
		return err_cfg(c->err, "%s: SHARE=%s: SUBDIR %s contains \"..\": "
			       "expected a path inside the subhost", cfg_where(c, e->line), e->val, sub);
	cfg->shares = xrealloc(cfg->shares, (cfg->nshares + 1) * sizeof *cfg->shares);
	sh = &cfg->shares[cfg->nshares++];
	*sh = (struct sh_share){
		.hostdir = path_resolve(cfg->base, v),
		.subdir = cfg_path_lexical("/", sub),
		.ro = ro,
		.line = e->line,
	};
	if (!c->opts->no_fs_checks && access(sh->hostdir, F_OK) < 0)
		return err_cfg(c->err, "%s: SHARE=%s: host path %s: %s: expected an existing directory or file",
			       cfg_where(c, e->line), e->val, sh->hostdir, strerror(errno));
	return 0;
}

static int load_hostname(struct ctx *c)
{
	int line;
	const char *v = val_get(c, "HOSTNAME", &line), *p;

	if (!v) {
		c->cfg->hostname = xstrdup(c->cfg->name);
		return 0;
	}
	for (p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
			break;
	if (*p || p - v > 64)
		return err_cfg(c->err, "%s: HOSTNAME=%s is invalid: expected 1-64 characters of [A-Za-z0-9.-]",
			       cfg_where(c, line), v);
	c->cfg->hostname = xstrdup(v);
	return 0;
}

/* "RTMIN+4", "RTMAX-2", "RTMIN": a real-time signal, or 0. */
static int rt_signal(const char *s)
{
	int base, off = 0;
	char *end;

	if (str_startswith(s, "RTMIN"))
		base = SIGRTMIN;
	else if (str_startswith(s, "RTMAX"))
		base = SIGRTMAX;
	else
		return 0;
	s += 5;
	if (*s) {
		if ((*s != '+' && *s != '-') || !isdigit((unsigned char)s[1]))
			return 0;
		off = (int)strtol(s, &end, 10);
		if (*end)
			return 0;
	}
	return base + off >= SIGRTMIN && base + off <= SIGRTMAX ? base + off : 0;
}

int config_stop_signal(const char *value, int *sig)
{
	const char *s = value;
	char *end;
	long n;

	if (!strcmp(value, "initctl")) {
		*sig = SH_STOP_INITCTL;
		return 0;
	}
	if (isdigit((unsigned char)*s)) {
		n = strtol(s, &end, 10);
		if (*end || n < 1 || n > SIGRTMAX)
			return -EINVAL;
	} else {
		if (str_startswith(s, "SIG"))
			s += 3;
		n = rt_signal(s);
		for (int i = 1; !n && i < SIGRTMIN; i++) {
			const char *abbrev = sigabbrev_np(i);
			if (abbrev && !strcmp(abbrev, s))
				n = i;
		}
		if (!n)
			return -EINVAL;
	}
	if (n == SIGKILL || n == SIGSTOP)
		return -EINVAL;
	*sig = (int)n;
	return 0;
}

/* RUNLEVEL (INIT=sysv's level after rc S) and STOP_SIGNAL (how `stop`
 * asks pid 1 to power off). */
static int load_runlevel_stop(struct ctx *c)
{
	int line;
	const char *v = val_get(c, "RUNLEVEL", &line);

	c->cfg->runlevel = '2';
	if (v) {
		if (v[0] < '1' || v[0] > '5' || v[1])
			return err_cfg(c->err, "%s: RUNLEVEL=%s is invalid: expected a runlevel from 1 to 5",
				       cfg_where(c, line), v);
		c->cfg->runlevel = v[0];
	}
	v = val_get(c, "STOP_SIGNAL", &line);
	c->cfg->stop_signal = 0;
	if (v && config_stop_signal(v, &c->cfg->stop_signal) < 0)
		return err_cfg(c->err, "%s: STOP_SIGNAL=%s is invalid: expected a signal name or number "
			       "(PWR, SIGRTMIN+4, 15; not KILL or STOP) or \"initctl\"",
			       cfg_where(c, line), v);
	return 0;
}

/* Keys later work implements: keep the evaluated value, note the line. */
static int load_reserved(struct ctx *c, const struct ent *e)
{
	struct sh_config *cfg = c->cfg;
	const struct keydef *d = e->def;
	size_t i;
	int r = 0;

	for (i = 0; i < cfg->nreserved; i++)
		if (!strcmp(cfg->reserved[i].key, d->key))
			break;
	if (i == cfg->nreserved && i < sizeof cfg->reserved / sizeof cfg->reserved[0]) {
		cfg->reserved[i].key = d->key;
		cfg->reserved[i].line = e->line;
		cfg->nreserved++;
	}
	if (!strcmp(d->key, "ADDRESS")) {
		r = load_list(c, e, &cfg->address);
	} else {
		char **field = (char **)((char *)cfg + d->off);
		struct sh_list l = { NULL, 0 };
		size_t len = 1;

		free(*field);
		*field = NULL;
		if (!e->array) {
			*field = e->val[0] ? xstrdup(e->val) : NULL;
			return 0;
		}
		/* CAPS_DROP=( a b ): one blank-separated string */
		r = load_list(c, e, &l);
		if (r < 0)
			return r;
		for (i = 0; i < l.n; i++)
			len += strlen(l.v[i]) + 1;
		*field = xcalloc(1, len);
		for (i = 0; i < l.n; i++) {
			if (i)
				strcat(*field, " ");
			strcat(*field, l.v[i]);
		}
		sh_list_free(&l);
	}
	return r;
}

/* CAPS_DROP, CAPS_KEEP and SECCOMP: every word must be a capability or a
 * system call, and no capability both dropped and kept by name. */
static int load_hardening(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	const char *keys[2] = { "CAPS_DROP", "CAPS_KEEP" }, *vals[2] = { cfg->caps_drop, cfg->caps_keep };
	uint64_t masks[2] = { 0, 0 };
	int lines[2] = { 0, 0 }, line;
	const char *bad, *why;
	size_t badlen;

	/* Words on one line (a !command may print several lines): the state
	 * file keeps SECCOMP for `go`, one key per line. */
	for (char *p = cfg->seccomp; p && *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';

	for (int i = 0; i < 2; i++) {
		struct ent *e = ent_get(c, keys[i]);

		lines[i] = e ? e->line : 0;
		if (vals[i] && caps_parse(vals[i], &masks[i], &bad, &badlen) < 0)
			return err_cfg(c->err, "%s: %s: \"%.*s\" is not a capability: expected names "
				       "such as sys_time or cap_net_raw (see capabilities(7)), or all",
				       cfg_where(c, lines[i]), keys[i], (int)badlen, bad);
	}
	if (masks[0] != CAPS_ALL && masks[1] != CAPS_ALL && (masks[0] & masks[1])) {
		unsigned cap = (unsigned)__builtin_ctzll(masks[0] & masks[1]);
		return err_cfg(c->err, "%s: CAPS_KEEP keeps %s, which CAPS_DROP (line %d) drops: "
			       "expected each capability in one of them", cfg_where(c, lines[1]),
			       caps_name(cap) ? caps_name(cap) : "a capability", lines[0]);
	}
	if (cfg->seccomp && sc_check(cfg->seccomp, &why, &bad, &badlen) < 0) {
		struct ent *e = ent_get(c, "SECCOMP");

		line = e ? e->line : 0;
		return err_cfg(c->err, "%s: SECCOMP: \"%.*s\": %s; expected none, default, or "
			       "system call names, each NAME or +NAME to deny it, -NAME to allow it",
			       cfg_where(c, line), (int)badlen, bad, why);
	}
	return 0;
}

int cfg_load_rest(struct ctx *c)
{
	struct sh_config *cfg = c->cfg;
	int line, r;
	const char *v;
	size_t i;

	if ((r = load_start_init(c)) < 0)
		return r;
	v = val_get(c, "PREMOUNT", &line);
	cfg->premount = v ? xstrdup(v) : NULL;
	v = val_get(c, "POSTMOUNT", &line);
	cfg->postmount = v ? xstrdup(v) : NULL;
	if ((r = load_ram_size(c)) < 0)
		return r;
	v = val_get(c, "LOG", &line);
	if (v)
		cfg->log = path_resolve(cfg->base, v);
	else
		cfg->log = xasprintf("/var/log/subhost/%s.log", cfg->name);
	if ((r = load_hostname(c)) < 0)
		return r;
	if ((r = load_runlevel_stop(c)) < 0)
		return r;
	for (i = 0; i < c->nents; i++) {
		const struct ent *e = &c->ents[i];

		if (!e->final)
			continue;
		if (!strcmp(e->def->key, "SHARE"))
			r = load_share(c, e);
		else if (e->def->flags & KF_RESERVED)
			r = load_reserved(c, e);
		if (r < 0)
			return r;
	}
	return load_hardening(c);
}
