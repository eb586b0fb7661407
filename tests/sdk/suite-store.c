/*
 * suite-store.c - state serialisation, the memory and POSIX file store
 * backends, and crash safety of the file store (fault injection at each
 * step, and a child killed with SIGKILL while it saves).
 */
#define _DEFAULT_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static const uint8_t dev_id[E4_ID_LEN] = { 0x57, 0x0e };
static const uint8_t dev_key[E4_KEY_LEN] = { 0x57, 0x0f };
#define T0 1790000000ull

/* Gives f `n` topics whose keys depend on `variant`. */
static void add_topics(struct fixture *f, int n, unsigned variant)
{
	uint8_t k[32];
	char topic[32];
	int i;

	for (i = 0; i < n; i++) {
		fx_bytes(k, sizeof(k), variant * 100 + (unsigned)i);
		snprintf(topic, sizeof(topic), "store/%u/%d", variant, i);
		ck_assert_int_eq(e4_client_set_topic_key(&f->c, topic, k), 0);
	}
}

/* Serialises f's client into blob. */
static size_t snapshot(struct fixture *f, uint8_t *blob, size_t cap)
{
	size_t len = 0;

	ck_assert_int_eq(e4_client_serialize(&f->c, blob, cap, &len), 0);
	return len;
}

START_TEST(memory_store_round_trips_a_symkey_client)
{
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	add_topics(&f, 5, 1);
	ck_assert_int_eq(fx_send(&f, dev_key, T0, E4_CMD_HEARTBEAT, NULL, 0), 0);
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	ck_assert_wiped(f.store_buf, sizeof(f.store_buf));
	fx_check_reload(&f);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(memory_store_round_trips_a_pubkey_client)
{
	uint8_t sk[64], pub[32], c2[32], c2sk[64], id[E4_ID_LEN];
	struct fixture f;
	int i;

	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	ck_assert_int_eq(e4_ed25519_keypair(c2, c2sk), 0); /* any 32 bytes for the C2 */
	fx_init_pk(&f, dev_id, sk, c2, T0, FX_STORE);
	add_topics(&f, 3, 2);
	for (i = 0; i < FX_PUBKEYS; i++) {
		fx_bytes(id, sizeof(id), 200 + (unsigned)i);
		fx_bytes(pub, sizeof(pub), 300 + (unsigned)i);
		ck_assert_int_eq(e4_client_set_pubkey(&f.c, id, pub), 0);
	}
	ck_assert_int_eq(e4_client_set_pubkey(&f.c, dev_id, pub), E4_ERR_TABLE_FULL);
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	fx_check_reload(&f);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(empty_store_loads_as_not_found)
{
	struct fixture f;
	struct e4_client c;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	ck_assert_int_eq(e4_client_load(&c, &f.cfg), E4_ERR_NOT_FOUND);
	f.cfg.store = NULL;
	ck_assert_int_eq(e4_client_load(&c, &f.cfg), E4_ERR_INVALID_ARG);
	/* Without a store, saving is a no-op. */
	f.c.cfg.store = NULL;
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(full_tables_fit_the_documented_blob_size)
{
	uint8_t sk[64], pub[32], id[E4_ID_LEN], blob[FX_BLOB_CAP + 64];
	size_t len = 0;
	struct fixture f;
	int i;

	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	fx_init_pk(&f, dev_id, sk, NULL, T0, 0);
	add_topics(&f, FX_TOPICS, 3);
	for (i = 0; i < FX_PUBKEYS; i++) {
		fx_bytes(id, sizeof(id), 400 + (unsigned)i);
		ck_assert_int_eq(e4_client_set_pubkey(&f.c, id, pub), 0);
	}
	ck_assert_int_eq(e4_client_serialize(&f.c, blob, 10, &len), E4_ERR_BUFSIZE);
	ck_assert_uint_le(len, E4_STATE_BLOB_LEN(FX_TOPICS, FX_PUBKEYS));
	ck_assert_uint_eq(len, E4_STATE_BLOB_LEN(FX_TOPICS, FX_PUBKEYS));
	ck_assert_int_eq(e4_client_serialize(&f.c, blob, sizeof(blob), &len), 0);
	ck_assert_uint_eq(len, E4_STATE_BLOB_LEN(FX_TOPICS, FX_PUBKEYS));
	e4_client_wipe(&f.c);
}
END_TEST

START_TEST(every_flipped_byte_makes_the_blob_corrupt)
{
	uint8_t blob[FX_BLOB_CAP];
	struct fixture f, g;
	size_t len, i;
	int bit;

	fx_init(&f, dev_id, dev_key, T0, 0);
	add_topics(&f, 3, 4);
	len = snapshot(&f, blob, sizeof(blob));
	fx_init(&g, dev_id, dev_key, T0, 0);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit += 7) {
			blob[i] ^= (uint8_t)(1u << bit);
			ck_assert_msg(e4_client_deserialize(&g.c, &g.cfg, blob, len) ==
			              E4_ERR_STORE_FORMAT, "flip of byte %zu bit %d accepted", i, bit);
			blob[i] ^= (uint8_t)(1u << bit);
		}
	}
	ck_assert_int_eq(e4_client_deserialize(&g.c, &g.cfg, blob, len - 1), E4_ERR_STORE_FORMAT);
	ck_assert_int_eq(e4_client_deserialize(&g.c, &g.cfg, blob, 10), E4_ERR_STORE_FORMAT);
	ck_assert_int_eq(e4_client_deserialize(&g.c, &g.cfg, blob, len), 0);
	ck_assert_uint_eq(e4_client_topic_count(&g.c), 3);
	e4_client_wipe(&f.c);
	e4_client_wipe(&g.c);
}
END_TEST

START_TEST(blob_of_another_mode_or_larger_tables_is_refused)
{
	uint8_t blob[FX_BLOB_CAP], sk[64], pub[32];
	struct fixture f, g;
	size_t len;

	fx_init(&f, dev_id, dev_key, T0, 0);
	add_topics(&f, 3, 5);
	len = snapshot(&f, blob, sizeof(blob));
	ck_assert_int_eq(e4_ed25519_keypair(pub, sk), 0);
	fx_init_pk(&g, dev_id, sk, NULL, T0, 0);
	ck_assert_int_eq(e4_client_deserialize(&g.c, &g.cfg, blob, len), E4_ERR_STORE_FORMAT);
	e4_client_wipe(&g.c);
	fx_init(&g, dev_id, dev_key, T0, 0);
	g.cfg.topics_cap = 2;
	ck_assert_int_eq(e4_client_deserialize(&g.c, &g.cfg, blob, len), E4_ERR_STORE_FORMAT);
	g.cfg.topics_cap = 3;
	ck_assert_int_eq(e4_client_deserialize(&g.c, &g.cfg, blob, len), 0);
	ck_assert_int_eq(e4_client_deserialize(&g.c, NULL, blob, len), E4_ERR_INVALID_ARG);
	e4_client_wipe(&f.c);
	e4_client_wipe(&g.c);
}
END_TEST

START_TEST(serialize_wipes_output_on_failure)
{
	uint8_t blob[FX_BLOB_CAP];
	struct e4_client c;
	size_t len = 3;

	memset(&c, 0, sizeof(c));
	fx_fill(blob, sizeof(blob));
	ck_assert_int_eq(e4_client_serialize(&c, blob, sizeof(blob), &len), E4_ERR_NOT_INITIALISED);
	ck_assert_uint_eq(len, 0);
	ck_assert_wiped(blob, sizeof(blob));
}
END_TEST

/* A file store on dir/state used by f's client. */
struct file_env {
	char dir[256];
	char path[300];
	struct e4_store store;
	struct e4_store_file file;
};

/* Sets up a scratch dir and points f's client at a file store there. */
static void file_env_init(struct file_env *e, struct fixture *f)
{
	fx_scratch(e->dir, sizeof(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/state", e->dir);
	e4_store_file_init(&e->store, &e->file, e->path);
	f->cfg.store = &e->store;
	f->c.cfg.store = &e->store;
}

/* Loads the raw blob of the file store. */
static int file_load(struct file_env *e, uint8_t *buf, size_t cap, size_t *len)
{
	return e->store.load(e->store.ctx, buf, cap, len);
}

/* Loads the file store into a client with its own tables. */
static void load_into_fresh_client(struct file_env *e)
{
	struct fixture g;

	fx_init(&g, dev_id, dev_key, T0, FX_STORE);
	g.cfg.store = &e->store;
	ck_assert_int_eq(e4_client_load(&g.c, &g.cfg), 0);
	e4_client_wipe(&g.c);
}

START_TEST(file_store_round_trips_with_mode_0600)
{
	uint8_t blob[FX_BLOB_CAP], back[FX_BLOB_CAP];
	struct file_env e;
	struct fixture f, g;
	struct stat st;
	size_t len, blen = 0;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	file_env_init(&e, &f);
	ck_assert_int_eq(e4_client_load(&g.c, &f.cfg), E4_ERR_NOT_FOUND);
	add_topics(&f, 4, 6);
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	ck_assert_int_eq(stat(e.path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	len = snapshot(&f, blob, sizeof(blob));
	ck_assert_int_eq(file_load(&e, back, sizeof(back), &blen), 0);
	ck_assert_uint_eq(blen, len);
	ck_assert_mem_eq(back, blob, len);
	/* A second client loads the same state through its own tables. */
	fx_init(&g, dev_id, dev_key, T0, FX_STORE);
	g.cfg.store = &e.store;
	ck_assert_int_eq(e4_client_load(&g.c, &g.cfg), 0);
	ck_assert_uint_eq(snapshot(&g, back, sizeof(back)), len);
	ck_assert_mem_eq(back, blob, len);
	/* Saving again replaces the file. */
	add_topics(&f, 2, 7);
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	ck_assert_int_eq(e4_client_load(&g.c, &g.cfg), 0);
	ck_assert_uint_eq(e4_client_topic_count(&g.c), 6);
	e4_client_wipe(&f.c);
	e4_client_wipe(&g.c);
	fx_scratch_remove(e.dir);
}
END_TEST

START_TEST(file_store_refuses_group_or_world_readable_files)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0660, 0602 };
	struct file_env e;
	struct fixture f;
	struct e4_client c;
	size_t i;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	file_env_init(&e, &f);
	add_topics(&f, 1, 8);
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(chmod(e.path, modes[i]), 0);
		ck_assert_int_eq(e4_client_load(&c, &f.cfg), E4_ERR_STORE_PERMS);
	}
	ck_assert_int_eq(chmod(e.path, 0600), 0);
	ck_assert_int_eq(e4_client_load(&c, &f.cfg), 0);
	e4_client_wipe(&c);
	e4_client_wipe(&f.c);
	fx_scratch_remove(e.dir);
}
END_TEST

START_TEST(file_store_refuses_symlinks_and_directories)
{
	char real[320];
	struct file_env e;
	struct fixture f;
	struct e4_client c;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	file_env_init(&e, &f);
	add_topics(&f, 1, 9);
	snprintf(real, sizeof(real), "%s/real", e.dir);
	/* A valid 0600 state file, reached through a symlink. */
	e.file.path = real;
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	e.file.path = e.path;
	ck_assert_int_eq(symlink("real", e.path), 0);
	ck_assert_int_eq(e4_client_load(&c, &f.cfg), E4_ERR_STORE_PERMS);
	ck_assert_int_eq(unlink(e.path), 0);
	ck_assert_int_eq(mkdir(e.path, 0700), 0);
	ck_assert_int_eq(e4_client_load(&c, &f.cfg), E4_ERR_STORE_PERMS);
	ck_assert_int_eq(rmdir(e.path), 0);
	e4_client_wipe(&f.c);
	fx_scratch_remove(e.dir);
}
END_TEST

START_TEST(corrupt_state_file_loads_as_format_error)
{
	uint8_t blob[FX_BLOB_CAP];
	struct file_env e;
	struct fixture f;
	struct e4_client c;
	size_t len, i;
	int fd;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	file_env_init(&e, &f);
	add_topics(&f, 2, 10);
	len = snapshot(&f, blob, sizeof(blob));
	for (i = 0; i < len; i += 37) {
		blob[i] ^= 0x10;
		fd = open(e.path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, blob, len), (ssize_t)len);
		close(fd);
		ck_assert_int_eq(e4_client_load(&c, &f.cfg), E4_ERR_STORE_FORMAT);
		blob[i] ^= 0x10;
	}
	/* An oversized file does not fit the buffer: also a format error. */
	memset(blob + len, 0, sizeof(blob) - len);
	fd = open(e.path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(write(fd, blob, sizeof(blob)), (ssize_t)sizeof(blob));
	close(fd);
	ck_assert_int_eq(e4_client_load(&c, &f.cfg), E4_ERR_STORE_FORMAT);
	e4_client_wipe(&f.c);
	fx_scratch_remove(e.dir);
}
END_TEST

START_TEST(file_store_save_into_a_missing_directory_fails)
{
	struct e4_store store;
	struct e4_store_file file;
	uint8_t blob[4] = { 1 };

	e4_store_file_init(&store, &file, "tests/scratch/no/such/dir/state");
	ck_assert_int_eq(store.save(store.ctx, blob, sizeof(blob)), E4_ERR_STORE_IO);
}
END_TEST

/* Fault hook: records the steps, stops the save at `stop` (0: never). */
struct fault {
	enum e4_store_step stop;
	enum e4_store_step seen[8];
	int n;
};

static int fault_hook(void *ctx, enum e4_store_step step)
{
	struct fault *fl = ctx;

	if (fl->n < 8)
		fl->seen[fl->n++] = step;
	return step == fl->stop;
}

START_TEST(save_runs_every_step_in_order)
{
	struct file_env e;
	struct fixture f;
	struct fault fl = { 0, { 0 }, 0 };
	int i;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	file_env_init(&e, &f);
	e.file.fault = fault_hook;
	e.file.fault_ctx = &fl;
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	ck_assert_int_eq(fl.n, 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(fl.seen[i], E4_STEP_OPEN_TMP + i);
	e4_client_wipe(&f.c);
	fx_scratch_remove(e.dir);
}
END_TEST

START_TEST(fault_at_any_step_leaves_the_old_or_the_new_state)
{
	uint8_t a[FX_BLOB_CAP], b[FX_BLOB_CAP], back[FX_BLOB_CAP];
	size_t alen, blen, len = 0;
	struct fault fl;
	struct file_env e;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	file_env_init(&e, &f);
	memset(&fl, 0, sizeof(fl));
	e.file.fault = fault_hook;
	e.file.fault_ctx = &fl;
	add_topics(&f, 2, 11);
	alen = snapshot(&f, a, sizeof(a));
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	add_topics(&f, 3, 12);
	blen = snapshot(&f, b, sizeof(b));
	fl.stop = (enum e4_store_step)_i;
	fl.n = 0;
	ck_assert_int_eq(e4_client_save(&f.c), E4_ERR_STORE_IO);
	ck_assert_int_eq(file_load(&e, back, sizeof(back), &len), 0);
	if (_i <= E4_STEP_RENAME) {
		ck_assert_uint_eq(len, alen);
		ck_assert_mem_eq(back, a, alen);
	} else {
		/* The rename happened: the new state is there, only not yet durable. */
		ck_assert_uint_eq(len, blen);
		ck_assert_mem_eq(back, b, blen);
	}
	load_into_fresh_client(&e);
	/* The next save, without fault, completes despite any leftover. */
	fl.stop = 0;
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	ck_assert_int_eq(file_load(&e, back, sizeof(back), &len), 0);
	ck_assert_uint_eq(len, blen);
	ck_assert_mem_eq(back, b, blen);
	e4_client_wipe(&f.c);
	fx_scratch_remove(e.dir);
}
END_TEST

#define KILL_STATES 4
#define KILL_ROUNDS 200

/* Saves the states in a loop until killed, reporting each save on fd. */
static void saver_loop(struct file_env *e, uint8_t blobs[][FX_BLOB_CAP], const size_t *lens,
                       int fd)
{
	unsigned i;

	for (i = 1;; i++) {
		if (e->store.save(e->store.ctx, blobs[i % KILL_STATES], lens[i % KILL_STATES]) != 0)
			_exit(3);
		if (write(fd, "s", 1) != 1)
			_exit(4);
	}
}

/* Reads exactly n bytes from fd (0), or fails (-1). */
static int read_all(int fd, char *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Saves blob a few times; returns the mean duration of one save in µs. */
static uint32_t time_saves(struct file_env *e, const uint8_t *blob, size_t len)
{
	struct timespec t0, t1;
	int64_t us;
	int i;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(e->store.save(e->store.ctx, blob, len), 0);
	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
	us = ((int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000) / 5;
	if (us > 200000)
		us = 200000;
	return (uint32_t)us + 1;
}

START_TEST(file_survives_sigkill_at_random_moments)
{
	static uint8_t blobs[KILL_STATES][FX_BLOB_CAP];
	uint8_t back[FX_BLOB_CAP];
	size_t lens[KILL_STATES], len;
	unsigned seen[KILL_STATES] = { 0 }, distinct = 0;
	uint32_t rng = 20251125u, save_us;
	unsigned mid_save = 0;
	char tmp[320];
	struct file_env e;
	struct fixture f;
	int round, s, status;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	file_env_init(&e, &f);
	for (s = 0; s < KILL_STATES; s++) {
		add_topics(&f, 1 + s, 20 + (unsigned)s);
		lens[s] = snapshot(&f, blobs[s], sizeof(blobs[s]));
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", e.path);
	/* Kill moments are scaled to how slow a save is here. */
	save_us = time_saves(&e, blobs[0], lens[0]);
	for (round = 0; round < KILL_ROUNDS; round++) {
		struct timespec ts = { 0, 0 };
		char done[4];
		int p[2];
		pid_t pid;

		ck_assert_int_eq(pipe(p), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(p[0]);
			saver_loop(&e, blobs, lens, p[1]);
		}
		close(p[1]);
		/* Let the child finish 0 to 3 saves, then kill it within the next one or two. */
		rng = rng * 1103515245u + 12345u;
		ck_assert_int_eq(read_all(p[0], done, (rng >> 8) % 4), 0);
		rng = rng * 1103515245u + 12345u;
		ts.tv_nsec = (long)((rng >> 8) % (2 * save_us + 100)) * 1000L;
		nanosleep(&ts, NULL);
		ck_assert_int_eq(kill(pid, SIGKILL), 0);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		close(p[0]);
		ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		              "saver ended on its own (status %d)", status);
		mid_save += access(tmp, F_OK) == 0;
		len = 0;
		ck_assert_int_eq(file_load(&e, back, sizeof(back), &len), 0);
		for (s = 0; s < KILL_STATES; s++)
			if (len == lens[s] && memcmp(back, blobs[s], len) == 0)
				break;
		ck_assert_msg(s < KILL_STATES, "round %d: file holds none of the saved states", round);
		if (seen[s]++ == 0)
			distinct++;
	}
	/* The child really did save, and kills landed inside saves. */
	fprintf(stderr, "sigkill test: %d kills, %u inside a save, %u states seen\n",
	        KILL_ROUNDS, mid_save, distinct);
	ck_assert_uint_ge(distinct, 2);
	ck_assert_uint_ge(mid_save, 1);
	e4_client_wipe(&f.c);
	fx_scratch_remove(e.dir);
}
END_TEST

START_TEST(store_lock_can_be_taken_and_released)
{
	struct file_env e;
	struct fixture f;

	fx_init(&f, dev_id, dev_key, T0, FX_STORE);
	file_env_init(&e, &f);
	ck_assert_int_eq(e4_store_file_lock(&e.file), 0);
	/* A save made while this store holds the lock does not wait for itself. */
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	/* Taking it twice is refused. */
	ck_assert_int_eq(e4_store_file_lock(&e.file), E4_ERR_INVALID_ARG);
	e4_store_file_unlock(&e.file);
	ck_assert_int_eq(e4_client_save(&f.c), 0);
	e4_store_file_unlock(&e.file);
	e4_client_wipe(&f.c);
	fx_scratch_remove(e.dir);
}
END_TEST

Suite *suite_store(void)
{
	Suite *s = suite_create("store");
	TCase *tm = tcase_create("memory and blobs");
	TCase *tf = tcase_create("file");
	TCase *tc = tcase_create("crash safety");

	tcase_add_test(tm, memory_store_round_trips_a_symkey_client);
	tcase_add_test(tm, memory_store_round_trips_a_pubkey_client);
	tcase_add_test(tm, empty_store_loads_as_not_found);
	tcase_add_test(tm, full_tables_fit_the_documented_blob_size);
	tcase_add_test(tm, every_flipped_byte_makes_the_blob_corrupt);
	tcase_add_test(tm, blob_of_another_mode_or_larger_tables_is_refused);
	tcase_add_test(tm, serialize_wipes_output_on_failure);
	suite_add_tcase(s, tm);
	tcase_add_test(tf, file_store_round_trips_with_mode_0600);
	tcase_add_test(tf, file_store_refuses_group_or_world_readable_files);
	tcase_add_test(tf, file_store_refuses_symlinks_and_directories);
	tcase_add_test(tf, corrupt_state_file_loads_as_format_error);
	tcase_add_test(tf, file_store_save_into_a_missing_directory_fails);
	tcase_add_test(tf, store_lock_can_be_taken_and_released);
	suite_add_tcase(s, tf);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, save_runs_every_step_in_order);
	tcase_add_loop_test(tc, fault_at_any_step_leaves_the_old_or_the_new_state,
	                    E4_STEP_OPEN_TMP, E4_STEP_FSYNC_DIR + 1);
	tcase_add_test(tc, file_survives_sigkill_at_random_moments);
	suite_add_tcase(s, tc);
	return s;
}
