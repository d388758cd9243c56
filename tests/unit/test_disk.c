/* test_disk.c - unit tests of disk.c's partition lookup (libblkid).
 *
 * The images are written by hand in a temp directory: an MBR and a GPT
 * table, an ext2 superblock (its magic is enough for blkid), a swap
 * signature.  No loop device, no mount: those are the integration tests'.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disk.h"

#define MiB (1024 * 1024)
#define SECT 512

struct fx {
	char dir[PATH_MAX];
	char img[PATH_MAX + 16];
	int fd;
	struct sh_err err;
	struct disk_part p;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char tmpl[] = "/tmp/subhost-test-disk.XXXXXX";

	if (!f || !mkdtemp(tmpl))
		return -1;
	snprintf(f->dir, sizeof f->dir, "%s", tmpl);
	snprintf(f->img, sizeof f->img, "%s/d.img", f->dir);
	f->fd = open(f->img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (f->fd < 0 || ftruncate(f->fd, 16 * MiB) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close(f->fd);
	unlink(f->img);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void put(struct fx *f, uint64_t off, const void *data, size_t len)
{
	if (pwrite(f->fd, data, len, (off_t)off) != (ssize_t)len)
		fail_msg("pwrite at %llu", (unsigned long long)off);
}

static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, (uint16_t)v); le16(p + 2, (uint16_t)(v >> 16)); }
static void le64(uint8_t *p, uint64_t v) { le32(p, (uint32_t)v); le32(p + 4, (uint32_t)(v >> 32)); }

/* An ext2 superblock at byte off: blkid needs little more than the magic. */
static void ext2_at(struct fx *f, uint64_t off)
{
	uint8_t sb[1024] = { 0 };

	le32(sb + 0, 128);              /* s_inodes_count */
	le32(sb + 4, 1024);             /* s_blocks_count */
	le32(sb + 24, 0);               /* s_log_block_size: 1 KiB */
	le16(sb + 56, 0xEF53);          /* s_magic */
	le32(sb + 76, 1);               /* s_rev_level */
	le16(sb + 88, 128);             /* s_inode_size */
	put(f, off + 1024, sb, sizeof sb);
}

static void swap_at(struct fx *f, uint64_t off, uint32_t pages)
{
	uint8_t hdr[12] = { 0 };

	le32(hdr, 1);                   /* version */
	le32(hdr + 4, pages - 1);       /* last_page */
	put(f, off + 1024, hdr, sizeof hdr);
	put(f, off + 4096 - 10, "SWAPSPACE2", 10);
}

/* An MBR with up to four primary partitions {type, start, sectors}. */
static void mbr(struct fx *f, const uint32_t parts[][3], int n)
{
	uint8_t s[SECT] = { 0 };

	for (int i = 0; i < n; i++) {
		uint8_t *e = s + 446 + 16 * i;

		e[4] = (uint8_t)parts[i][0];
		le32(e + 8, parts[i][1]);
		le32(e + 12, parts[i][2]);
	}
	s[510] = 0x55;
	s[511] = 0xAA;
	put(f, 0, s, sizeof s);
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
	}
	return ~c;
}

/* A GPT (protective MBR, primary header and entries, backup) with
 * partitions {first LBA, last LBA}. */
static void gpt(struct fx *f, const uint64_t parts[][2], int n)
{
	static const uint8_t linux_fs[16] = {   /* 0FC63DAF-8483-4772-8E79-3D69D8477DE4 */
		0xAF, 0x3D, 0xC6, 0x0F, 0x83, 0x84, 0x72, 0x47,
		0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4,
	};
	const uint64_t last = 16 * MiB / SECT - 1;
	const uint32_t pmbr[][3] = { { 0xEE, 1, (uint32_t)last } };
	uint8_t ents[128 * 128] = { 0 }, h[SECT] = { 0 };

	mbr(f, pmbr, 1);
	for (int i = 0; i < n; i++) {
		uint8_t *e = ents + 128 * i;

		memcpy(e, linux_fs, 16);
		memset(e + 16, i + 1, 16);      /* unique GUID */
		le64(e + 32, parts[i][0]);
		le64(e + 40, parts[i][1]);
	}
	memcpy(h, "EFI PART", 8);
	le32(h + 8, 0x00010000);        /* revision */
	le32(h + 12, 92);               /* header size */
	le64(h + 24, 1);                /* this LBA */
	le64(h + 32, last);             /* backup LBA */
	le64(h + 40, 34);               /* first usable */
	le64(h + 48, last - 33);        /* last usable */
	memset(h + 56, 0x42, 16);       /* disk GUID */
	le64(h + 72, 2);                /* entries LBA */
	le32(h + 80, 128);              /* entries */
	le32(h + 84, 128);              /* entry size */
	le32(h + 88, crc32(ents, sizeof ents));
	le32(h + 16, crc32(h, 92));
	put(f, 1 * SECT, h, sizeof h);
	put(f, 2 * SECT, ents, sizeof ents);
	/* the backup: entries just before the last LBA, header on it */
	le64(h + 24, last);
	le64(h + 32, 1);
	le64(h + 72, last - 32);
	le32(h + 16, 0);
	le32(h + 16, crc32(h, 92));
	put(f, (last - 32) * SECT, ents, sizeof ents);
	put(f, last * SECT, h, sizeof h);
}

static int find(struct fx *f, int partno)
{
	memset(&f->err, 0, sizeof f->err);
	return disk_find(f->img, partno, &f->p, &f->err);
}

static void find_fails(struct fx *f, int partno, const char *want)
{
	int r = find(f, partno);

	if (r >= 0)
		fail_msg("partition %d: found %s, expected \"%s\"", partno, f->p.fstype, want);
	if (!strstr(f->err.msg, want))
		fail_msg("\"%s\" lacks \"%s\"", f->err.msg, want);
	if (!strstr(f->err.msg, f->img))
		fail_msg("\"%s\" does not name the image", f->err.msg);
	assert_int_equal(f->err.status, EXIT_USAGE);
}

static void test_mbr(void **state)
{
	struct fx *f = *state;
	const uint32_t parts[][3] = { { 0x83, 2048, 2048 }, { 0x83, 4096, 8192 } };

	mbr(f, parts, 2);
	ext2_at(f, 4096ULL * SECT);
	assert_int_equal(find(f, 2), 0);
	assert_string_equal(f->p.fstype, "ext2");
	assert_int_equal(f->p.offset, 4096ULL * SECT);
	assert_int_equal(f->p.size, 8192ULL * SECT);
	assert_int_equal(f->p.partno, 2);
	assert_string_equal(f->p.image, f->img);
	find_fails(f, 1, "partition 1 of");
	find_fails(f, 1, "holds no filesystem that blkid recognises");
	find_fails(f, 3, "has no partition 3: its dos partition table has partitions 1, 2");
	find_fails(f, 0, "holds a dos partition table, not a filesystem");
}

static void test_gpt(void **state)
{
	struct fx *f = *state;
	const uint64_t parts[][2] = { { 2048, 4095 }, { 4096, 12287 } };

	gpt(f, parts, 2);
	ext2_at(f, 4096ULL * SECT);
	assert_int_equal(find(f, 2), 0);
	assert_string_equal(f->p.fstype, "ext2");
	assert_int_equal(f->p.offset, 4096ULL * SECT);
	assert_int_equal(f->p.size, 8192ULL * SECT);
	find_fails(f, 5, "its gpt partition table has partitions 1, 2");
	find_fails(f, 0, "holds a gpt partition table");
}

static void test_whole(void **state)
{
	struct fx *f = *state;

	ext2_at(f, 0);
	assert_int_equal(find(f, 0), 0);
	assert_string_equal(f->p.fstype, "ext2");
	assert_int_equal(f->p.offset, 0);
	assert_int_equal(f->p.size, 0);         /* to the end */
	find_fails(f, 1, "has no partition table but a ext2 filesystem on the whole image");
}

static void test_not_a_filesystem(void **state)
{
	struct fx *f = *state;
	const uint32_t parts[][3] = { { 0x82, 2048, 8192 } };

	find_fails(f, 0, "holds no filesystem that blkid recognises");
	find_fails(f, 1, "has no partition table that blkid recognises");
	mbr(f, parts, 1);
	swap_at(f, 2048ULL * SECT, 8192 / 8);
	find_fails(f, 1, "holds swap (other), not a filesystem");
}

static void test_missing(void **state)
{
	struct fx *f = *state;
	struct disk_part p;
	char path[PATH_MAX + 16];

	snprintf(path, sizeof path, "%s/nosuch.img", f->dir);
	assert_int_equal(disk_find(path, 1, &p, &f->err), -ENOENT);
	assert_int_equal(f->err.status, EXIT_USAGE);
	assert_non_null(strstr(f->err.msg, "nosuch.img does not exist"));
	assert_int_equal(disk_find(f->dir, 1, &p, &f->err), -EINVAL);
	assert_non_null(strstr(f->err.msg, "is not a regular file"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_mbr),
		T(test_gpt),
		T(test_whole),
		T(test_not_a_filesystem),
		T(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
