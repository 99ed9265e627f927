/*
** update.c -- the update state machine (update.h, docs/updates.md).
**
** Record states (persistent, update_manifest.h) and who moves them:
**
**   idle/confirmed/rolledback/failed --switch (node)--> trial
**   trial --health check passed (new version)----------> confirmed
**   trial --health check failed or deadline (new)------> rolledback
**   trial --ND_UPD_MAX_STARTS starts, deadline (launcher)> rolledback
**   trial --killed between record and switch (launcher)-> failed
**   confirmed --`system update_rollback`---------------> rolledback
**
** Ordering is what makes a kill at any point safe: nothing is written until
** the bundle's header, manifest and signature checked out; files go to a
** staging area the port turns into the slot in one step; the record says
** "trial" before `current` is switched, and "rolledback" before it is
** switched back, so a start after a kill finds either the old state or a
** record that says what to finish (nd_update_boot).
**
** One update runs at a time, and the node is one per process: the state
** lives in one static block (`g`).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_int.h"
#include "nodus/port.h"
#include "safepath.h"
#include "text.h"
#include "update.h"
#include "update_fetch.h"
#include "update_manifest.h"
#include "update_sig.h"
#include "web.h"

#define KEYFILE "config/update.pub"
#define FILE_CHUNK 65536            /* bytes read from a local bundle per step */
#define FILE_STEPS 4                /* steps per loop turn */
#define RESTART_DELAY_MS 100        /* lets the reply, the log line and the event out first */
#define STALL_MS 1000               /* a health tick this late: the loop is not alive */
#define BUNDLE_MAX (ND_UPD_HEAD + ND_UPD_MANIFEST_MAX + ND_UPD_SIG_MAX + ND_UPD_TOTAL_MAX)

/* ---- the record ---------------------------------------------------------- */

static void rec_load(nd_upd_record *r)
{
    char buf[ND_REC_TEXT_MAX];
    size_t n = 0;
    if (nd_upd_record_read(buf, sizeof buf, &n) != ND_OK) n = 0;
    nd_upd_record_parse(buf, n, r); /* no or a broken record: idle */
}

static int rec_save(const nd_upd_record *r)
{
    char buf[ND_REC_TEXT_MAX];
    size_t n = nd_upd_record_format(r, buf, sizeof buf);
    return nd_upd_record_write(buf, n);
}

static void set_error(nd_upd_record *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}

/* The version a slot holds (its manifest), or NODUS_VERSION for the base. */
static void slot_version(int slot, char out[ND_UPD_WORD_MAX])
{
    snprintf(out, ND_UPD_WORD_MAX, "%s", NODUS_VERSION);
    if (slot == ND_UPD_BASE) return;
    static char text[ND_UPD_MANIFEST_MAX + 1];
    size_t n = 0;
    nd_upd_manifest m;
    if (nd_upd_slot_manifest(slot, text, sizeof text, &n) == ND_OK &&
        nd_upd_manifest_parse(text, n, &m, NULL, 0) == ND_OK)
        snprintf(out, ND_UPD_WORD_MAX, "%s", m.version);
}

/* ---- launcher half --------------------------------------------------------- */

static int rollback_record(nd_upd_record *r)
{
    r->state = ND_REC_ROLLEDBACK;
    r->reported = false;
    rec_save(r);
    nd_upd_crashpoint("rollback");
    nd_upd_activate(r->prev);
    return r->prev;
}

/* The base binary changed under the slots (a package upgrade): it wins,
** since whoever installed it meant it to run. Only known once an update
** recorded the base's version; a node that never updated writes nothing. */
static void base_check(nd_upd_record *r, int act, nd_upd_boot *b)
{
    if (!r->seq || !strcmp(r->base, NODUS_VERSION)) return;
    if (r->base[0] && act != ND_UPD_BASE) {
        nd_upd_activate(ND_UPD_BASE);
        b->slot = ND_UPD_BASE;
        set_error(r, "the installed nodus changed from %s to %s (a package upgrade?): it runs "
                     "instead of version %s in slot %s",
                  r->base, NODUS_VERSION, r->version, nd_upd_slot_name(act));
        r->state = ND_REC_IDLE;
        r->reported = false;
        snprintf(b->msg, sizeof b->msg, "update: %s", r->error);
    }
    snprintf(r->base, sizeof r->base, "%s", NODUS_VERSION);
    rec_save(r);
}

void nd_update_boot(nd_upd_boot *b, bool is_base)
{
    memset(b, 0, sizeof *b);
    nd_upd_record r;
    rec_load(&r);
    int act = nd_upd_active();
    b->slot = act;
    if (is_base && r.state != ND_REC_TRIAL) base_check(&r, act, b);
    if (b->slot != act) return;
    if (r.state == ND_REC_ROLLEDBACK && act != r.prev) {
        /* killed between the record and the switch back: finish it */
        nd_upd_activate(r.prev);
        b->slot = r.prev;
        snprintf(b->msg, sizeof b->msg, "update: finished the rollback to slot %s",
                 nd_upd_slot_name(r.prev));
        return;
    }
    if (r.state != ND_REC_TRIAL) return;
    if (act != r.slot) {
        /* killed after the record said trial, before the switch: the old
        ** version is still current and nothing else changed */
        r.state = ND_REC_FAILED;
        r.reported = false;
        set_error(&r, "the update to %s was interrupted before the switch; %s stays", r.version,
                  r.prev_version);
        rec_save(&r);
        snprintf(b->msg, sizeof b->msg, "update: %s", r.error);
        return;
    }
    r.starts++;
    int64_t now = nd_port_wall_ms(), elapsed = now - r.since_ms;
    if (elapsed < 0) elapsed = 0; /* the clock went back (no RTC): start the window again */
    int64_t left_ms = (int64_t)r.deadline_s * 1000 - elapsed;
    if (r.starts > ND_UPD_MAX_STARTS) {
        set_error(&r, "version %s started %u times without passing its health check (crash loop): "
                      "rolled back to %s",
                  r.version, (unsigned)(r.starts - 1), r.prev_version);
    } else if (left_ms <= 0) {
        set_error(&r, "version %s did not pass its health check within %u s: rolled back to %s",
                  r.version, (unsigned)r.deadline_s, r.prev_version);
    } else {
        rec_save(&r);
        b->trial = true;
        b->left_s = (uint32_t)((left_ms + 999) / 1000);
        return;
    }
    b->slot = rollback_record(&r);
    snprintf(b->msg, sizeof b->msg, "update: %s", r.error);
}

bool nd_update_exec_failed(int slot, const char *why)
{
    nd_upd_record r;
    rec_load(&r);
    if (r.state != ND_REC_TRIAL || r.slot != slot) return false;
    set_error(&r, "version %s could not be started (%s): rolled back to %s", r.version, why,
              r.prev_version);
    rollback_record(&r);
    return true;
}

/* ---- node half: state ------------------------------------------------------- */

enum { G_IDLE, G_FETCH, G_STAGE, G_RESTART, G_TRIAL };
enum { J_HEAD, J_MANIFEST, J_SIG, J_FILES, J_END };

typedef struct job {
    struct nd_node *n;
    uint32_t id;
    bool force, dead, ok;
    int phase, slot;
    bool known;        /* the source's size is known (file, Content-Length) */
    uint64_t size;     /* ... and it is */
    uint64_t fed;      /* bytes taken so far */
    uint8_t head[ND_UPD_HEAD];
    size_t headn;
    nd_upd_head h;
    char *manifest;    /* h.mlen + 1 bytes */
    size_t mn;
    uint8_t sig[ND_UPD_SIG_MAX];
    size_t sn;
    nd_upd_manifest m;
    size_t cursor;     /* next file line */
    nd_upd_file f;     /* the file being staged */
    uint64_t fleft;
    nd_sha256 sha;
    bool file_open, staging;
    char *keys;        /* config/update.pub */
    size_t keysn;
    char rel[ND_UPD_PATH_MAX + 16]; /* local bundle (file=) */
    uint64_t foff;
    nd_fetch *fetch;
    nd_timer step, end;
} job;

static struct {
    struct nd_node *n;
    int phase;
    int running;                   /* slot this process runs from */
    char version[ND_UPD_WORD_MAX]; /* what it runs */
    nd_upd_record rec;
    uint32_t fail_id;              /* last update that failed before its switch */
    char error[ND_REC_ERR_MAX];    /* ... and why */
    char target[ND_UPD_WORD_MAX];
    char source[ND_FETCH_URL_MAX];
    uint64_t done, total;
    job *job;
    nd_timer restart;
    /* trial */
    nd_timer tick;
    uint64_t trial_t0, trial_end, due;
    int streak;
    char health[200];
    nd_sock *probe[2];
    bool door_ok[2];
} g;

static void emit(const char *state, uint32_t id, const char *version, const char *error)
{
    if (!g.n) return;
    nd_buf b;
    nd_buf_init(&b, 1024);
    nd_buf_printf(&b, "{\"what\": \"update\", \"state\": \"%s\", \"id\": %lu, \"version\": ", state,
                  (unsigned long)id);
    nd_json_escape(&b, version, strlen(version));
    nd_buf_puts(&b, ", \"error\": ");
    nd_json_escape(&b, error, strlen(error));
    nd_buf_putc(&b, '}');
    if (!b.overflow) nd_node_emit(g.n, "state", b.p, b.n);
    nd_buf_free(&b);
}

static void restart_fn(nd_timer *t, void *ud)
{
    (void)t;
    struct nd_node *n = ud;
    n->reboot = true; /* main(): shutdown, then the port restarts us through the launcher */
    nd_loop_stop();
}

static void restart_soon(void)
{
    g.phase = G_RESTART;
    nd_timer_arm(&g.n->timers, &g.restart, nd_port_mono_ms() + RESTART_DELAY_MS, restart_fn, g.n);
}

/* ---- node half: the job ------------------------------------------------------ */

static void job_end_fn(nd_timer *t, void *ud);

static void job_fail(job *j, const char *fmt, ...)
{
    if (j->dead) return;
    j->dead = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g.error, sizeof g.error, fmt, ap);
    va_end(ap);
    nd_timer_arm(&j->n->timers, &j->end, nd_port_mono_ms(), job_end_fn, j);
}

static int open_next_file(job *j);

static int close_file(job *j)
{
    uint8_t sum[32];
    nd_sha256_end(&j->sha, sum);
    j->file_open = false;
    if (memcmp(sum, j->f.sha, 32) != 0) {
        job_fail(j, "file %s: its SHA-256 does not match the manifest (damaged or altered bundle)",
                 j->f.path);
        return -1;
    }
    if (nd_upd_stage_file_end() != ND_OK) {
        job_fail(j, "file %s: cannot be written to the staging area (storage error)", j->f.path);
        return -1;
    }
    return open_next_file(j);
}

static int open_next_file(job *j)
{
    if (!nd_upd_manifest_next(&j->m, &j->cursor, &j->f)) {
        j->phase = J_END;
        nd_upd_crashpoint("staged");
        return 0;
    }
    if (nd_upd_stage_file(j->f.path, j->f.size, j->f.binary) != ND_OK) {
        job_fail(j, "file %s: cannot be created in the staging area", j->f.path);
        return -1;
    }
    nd_sha256_begin(&j->sha);
    j->file_open = true;
    j->fleft = j->f.size;
    return j->fleft ? 0 : close_file(j);
}

/* Everything the node can tell before it writes a byte. */
static int check_bundle(job *j)
{
    char e[ND_REC_ERR_MAX];
    if (nd_upd_verify(j->keys, j->keysn, &j->h, (const uint8_t *)j->manifest, j->h.mlen, j->sig, e,
                      sizeof e) != ND_OK) {
        job_fail(j, "%s", e);
        return -1;
    }
    nd_upd_manifest *m = &j->m;
    if (nd_upd_manifest_parse(j->manifest, j->h.mlen, m, e, sizeof e) != ND_OK) {
        job_fail(j, "%s", e);
        return -1;
    }
    snprintf(g.target, sizeof g.target, "%s", m->version);
    const char *arch = nd_upd_arch();
    if (strcmp(m->arch, "any") != 0 && strcmp(m->arch, arch) != 0) {
        job_fail(j, "bundle %s is for arch %s; this node runs on %s", m->version, m->arch, arch);
        return -1;
    }
    const char *board = nd_cfg_get_str(j->n->cfg, ND_K_board);
    if (strcmp(m->board, "any") != 0 && strcmp(m->board, board) != 0) {
        job_fail(j, "bundle %s is for board %s; this node's board is %s", m->version, m->board, board);
        return -1;
    }
    nd_upd_ver cur;
    if (nd_upd_ver_parse(g.version, strlen(g.version), &cur) == ND_OK) {
        int c = nd_upd_ver_cmp(&m->ver, &cur);
        if (c < 0 && !j->force) {
            job_fail(j, "version %s is older than the running %s: a downgrade needs force=True",
                     m->version, g.version);
            return -1;
        }
        if (c == 0 && !j->force) {
            job_fail(j, "version %s is already running (force=True installs it again)", m->version);
            return -1;
        }
    }
    uint64_t whole = ND_UPD_HEAD + (uint64_t)j->h.mlen + j->h.slen + m->total;
    if (j->known && j->size != whole) {
        if (j->size < whole)
            job_fail(j, "bundle truncated: %llu bytes, its manifest needs %llu",
                     (unsigned long long)j->size, (unsigned long long)whole);
        else
            job_fail(j, "bundle is %llu bytes, its manifest accounts for %llu: extra data",
                     (unsigned long long)j->size, (unsigned long long)whole);
        return -1;
    }
    g.total = whole;
    uint64_t room = 0, keep = (uint64_t)nd_cfg_get_int(j->n->cfg, ND_K_updfree_kb) * 1024u;
    if (nd_upd_room(&room) != ND_OK) room = 0;
    if (room < m->total || room - m->total < keep) {
        job_fail(j,
                 "not enough space: the bundle's files need %llu bytes, %llu are free and "
                 "updfree_kb keeps %llu KiB free",
                 (unsigned long long)m->total, (unsigned long long)room,
                 (unsigned long long)(keep / 1024));
        return -1;
    }
    /* checked: from here on the inactive slot's staging area is written */
    if (nd_upd_stage_begin(j->slot) != ND_OK) {
        job_fail(j, "cannot prepare the staging area for slot %s", nd_upd_slot_name(j->slot));
        return -1;
    }
    j->staging = true;
    g.phase = G_STAGE;
    nd_log(j->n, "[INFO] update %lu: bundle %s (%d file%s, %llu bytes) verified; staging it in slot %s",
           (unsigned long)j->id, m->version, m->nfiles, m->nfiles == 1 ? "" : "s",
           (unsigned long long)m->total, nd_upd_slot_name(j->slot));
    emit("staging", j->id, m->version, "");
    j->phase = J_FILES;
    return open_next_file(j);
}

/* Bytes of the bundle, in order. Non-zero: the job failed (job_fail). */
static int job_feed(job *j, const uint8_t *p, size_t n)
{
    if (j->dead) return -1;
    j->fed += n;
    g.done = j->fed;
    while (n) {
        size_t k;
        switch (j->phase) {
        case J_HEAD:
            k = ND_UPD_HEAD - j->headn < n ? ND_UPD_HEAD - j->headn : n;
            memcpy(j->head + j->headn, p, k);
            j->headn += k;
            if (j->headn == ND_UPD_HEAD) {
                char e[ND_ERRMSG];
                if (nd_upd_head_parse(j->head, ND_UPD_HEAD, &j->h, e, sizeof e) != ND_OK) {
                    job_fail(j, "%s", e);
                    return -1;
                }
                j->manifest = malloc(j->h.mlen + 1u);
                if (!j->manifest) {
                    job_fail(j, "out of memory");
                    return -1;
                }
                j->phase = J_MANIFEST;
            }
            break;
        case J_MANIFEST:
            k = j->h.mlen - j->mn < n ? j->h.mlen - j->mn : n;
            memcpy(j->manifest + j->mn, p, k);
            j->mn += k;
            if (j->mn == j->h.mlen) {
                j->manifest[j->mn] = 0;
                j->phase = J_SIG;
            }
            break;
        case J_SIG:
            k = j->h.slen - j->sn < n ? j->h.slen - j->sn : n;
            memcpy(j->sig + j->sn, p, k);
            j->sn += k;
            if (j->sn == j->h.slen && check_bundle(j) != 0) return -1;
            break;
        case J_FILES:
            k = j->fleft < n ? (size_t)j->fleft : n;
            if (nd_upd_stage_write(p, k) != ND_OK) {
                job_fail(j, "file %s: write error in the staging area (storage full?)", j->f.path);
                return -1;
            }
            nd_sha256_add(&j->sha, p, k);
            j->fleft -= k;
            nd_upd_crashpoint("staging");
            if (!j->fleft && close_file(j) != 0) return -1;
            break;
        default:
            job_fail(j, "bundle longer than its manifest says: extra data after the last file");
            return -1;
        }
        p += k;
        n -= k;
    }
    return 0;
}

/* The source has no more bytes. */
static void job_source_end(job *j)
{
    if (j->dead) return;
    if (j->phase != J_END) {
        if (j->phase < J_FILES)
            job_fail(j, "bundle truncated: it ends after %llu bytes, inside its %s",
                     (unsigned long long)j->fed,
                     j->phase == J_HEAD ? "header" : j->phase == J_MANIFEST ? "manifest" : "signature");
        else
            job_fail(j, "bundle truncated: it ends after %llu bytes, inside file %s",
                     (unsigned long long)j->fed, j->f.path);
        return;
    }
    j->ok = true;
    nd_timer_arm(&j->n->timers, &j->end, nd_port_mono_ms(), job_end_fn, j);
}

static void job_free(job *j)
{
    nd_timer_disarm(&j->n->timers, &j->step);
    nd_timer_disarm(&j->n->timers, &j->end);
    nd_fetch_free(j->fetch);
    if (j->file_open) {
        uint8_t dummy[32];
        nd_sha256_end(&j->sha, dummy);
    }
    if (j->staging && !j->ok) nd_upd_stage_abort();
    free(j->manifest);
    free(j->keys);
    free(j);
}

/* Commit the stage, write the record, switch, restart. */
static void switch_to(job *j)
{
    const nd_upd_manifest *m = &j->m;
    if (nd_upd_stage_commit(j->slot, j->manifest, j->h.mlen, j->sig, j->h.slen) != ND_OK) {
        nd_upd_stage_abort();
        snprintf(g.error, sizeof g.error, "cannot store bundle %s in slot %s (storage error)",
                 m->version, nd_upd_slot_name(j->slot));
        g.fail_id = j->id;
        return;
    }
    nd_upd_crashpoint("committed");
    nd_upd_record r;
    memset(&r, 0, sizeof r);
    r.seq = j->id;
    r.state = ND_REC_TRIAL;
    r.slot = j->slot;
    r.prev = g.running;
    snprintf(r.version, sizeof r.version, "%s", m->version);
    snprintf(r.prev_version, sizeof r.prev_version, "%s", g.version);
    /* the base's version: this binary's when it is the base, else as last seen */
    snprintf(r.base, sizeof r.base, "%s", g.running == ND_UPD_BASE ? NODUS_VERSION : g.rec.base);
    r.since_ms = nd_port_wall_ms();
    r.deadline_s = (uint32_t)nd_cfg_get_int(j->n->cfg, ND_K_updtrial_s);
    if (rec_save(&r) != ND_OK) {
        snprintf(g.error, sizeof g.error, "cannot write the update record (storage error): not switched");
        g.fail_id = j->id;
        return;
    }
    nd_upd_crashpoint("record");
    if (nd_upd_activate(j->slot) != ND_OK) {
        r.state = ND_REC_FAILED;
        set_error(&r, "cannot switch to slot %s (storage error): %s stays", nd_upd_slot_name(j->slot),
                  g.version);
        rec_save(&r);
        g.rec = r;
        snprintf(g.error, sizeof g.error, "%s", r.error);
        g.fail_id = j->id;
        return;
    }
    nd_upd_crashpoint("switched");
    g.rec = r;
    nd_log(j->n, "[INFO] update %lu: switched to version %s in slot %s; restarting it on trial "
                 "(%u s to pass its health check)",
           (unsigned long)j->id, m->version, nd_upd_slot_name(j->slot), (unsigned)r.deadline_s);
    emit("restarting", j->id, m->version, "");
    restart_soon();
}

static void job_end_fn(nd_timer *t, void *ud)
{
    (void)t;
    job *j = ud;
    g.job = NULL;
    g.phase = G_IDLE;
    if (j->ok) {
        switch_to(j); /* sets G_RESTART on success, g.error on failure */
    } else {
        g.fail_id = j->id;
    }
    if (g.fail_id == j->id) {
        nd_log(j->n, "[ERR] update %lu failed: %s", (unsigned long)j->id, g.error);
        emit("failed", j->id, g.target, g.error);
    }
    job_free(j);
}

/* ---- sources: a local file, or HTTP --------------------------------------------- */

static void file_step(nd_timer *t, void *ud)
{
    (void)t;
    job *j = ud;
    static uint8_t buf[FILE_CHUNK];
    for (int i = 0; i < FILE_STEPS && !j->dead; i++) {
        size_t got = 0;
        if (nd_fs_read_at(j->rel, j->foff, buf, sizeof buf, &got) != ND_OK) {
            job_fail(j, "cannot read %s", j->rel + 4);
            return;
        }
        if (!got) {
            job_source_end(j);
            return;
        }
        j->foff += got;
        if (job_feed(j, buf, got) != 0) return;
    }
    if (!j->dead) nd_timer_arm(&j->n->timers, &j->step, nd_port_mono_ms(), file_step, j);
}

static int on_head(void *ud, bool known, uint64_t length)
{
    job *j = ud;
    j->known = known;
    j->size = length;
    return j->dead ? -1 : 0;
}

static int on_data(void *ud, const void *p, size_t n)
{
    return job_feed(ud, p, n);
}

static void on_done(void *ud, int rc, const char *err)
{
    job *j = ud;
    if (rc != ND_OK) job_fail(j, "download failed: %s", err);
    else job_source_end(j);
}

/* ---- node half: trial ----------------------------------------------------------- */

static void probe_close(int i)
{
    if (g.probe[i]) nd_net_close(g.probe[i]);
    g.probe[i] = NULL;
}

static void on_probe(nd_sock *s, int ev, void *ud)
{
    int i = (int)(intptr_t)ud;
    (void)ev;
    g.door_ok[i] = nd_net_error(s) == 0;
    probe_close(i);
}

/* Does a client get through to the door on port? A connect over the
** loopback (or the bind address) proves the listener accepts, not only that
** the node thinks it opened one. */
static void probe(int i, int port)
{
    if (g.door_ok[i] || g.probe[i]) return;
    const char *bind = nd_cfg_get_str(g.n->cfg, ND_K_bind);
    const char *ip = (!*bind || !strcmp(bind, "0.0.0.0")) ? "127.0.0.1" : bind;
    if (nd_net_connect(ip, port, on_probe, (void *)(intptr_t)i, &g.probe[i]) != ND_OK) g.probe[i] = NULL;
}

static void trial_stop(void)
{
    nd_timer_disarm(&g.n->timers, &g.tick);
    probe_close(0);
    probe_close(1);
}

static void confirm(void)
{
    trial_stop();
    nd_upd_record *r = &g.rec;
    r->state = ND_REC_CONFIRMED;
    r->starts = 0;
    r->error[0] = 0;
    int rc = rec_save(r);
    nd_upd_watchdog(0);
    nd_upd_crashpoint("confirm");
    g.phase = G_IDLE;
    double secs = (double)(nd_port_mono_ms() - g.trial_t0) / 1000.0;
    if (rc != ND_OK)
        nd_log(g.n, "[ERR] update: version %s is healthy but the record could not be written: "
                    "its next starts count as trial starts", r->version);
    nd_log(g.n, "[INFO] update %lu: version %s confirmed in slot %s (healthy %.1f s after start)",
           (unsigned long)r->seq, r->version, nd_upd_slot_name(r->slot), secs);
    emit("confirmed", r->seq, r->version, "");
}

/* Back to the previous slot, then restart into it. */
static void roll_back(const char *why)
{
    trial_stop();
    nd_upd_record *r = &g.rec;
    r->state = ND_REC_ROLLEDBACK;
    r->reported = true; /* logged here; the old version need not say it again */
    snprintf(r->error, sizeof r->error, "%s", why);
    rec_save(r);
    nd_upd_crashpoint("rollback");
    nd_upd_activate(r->prev);
    nd_log(g.n, "[ERR] update %lu: %s", (unsigned long)r->seq, why);
    emit("rolledback", r->seq, r->version, why);
    restart_soon();
}

/* One health check: "" when everything passes, else what does not (what
** the node itself knows first, then what the loopback probes found). */
static void health(uint64_t now, char *why, size_t n)
{
    why[0] = 0;
    if (now > g.due + STALL_MS) {
        snprintf(why, n, "event loop stalled for %llu ms", (unsigned long long)(now - g.due));
        return;
    }
    const char *probs = nd_cfg_problems(g.n->cfg);
    if (probs && strstr(probs, "using defaults")) {
        snprintf(why, n, "config not loaded: %s", probs);
        return;
    }
    int sp = nd_shell_port(g.n), wp = 0;
    if (sp <= 0) {
        snprintf(why, n, "shell door not listening");
        return;
    }
    bool web = nd_cfg_get_bool(g.n->cfg, ND_K_webui);
    if (web && (wp = nd_web_port(g.n)) <= 0) {
        snprintf(why, n, "web door not listening (%s)", nd_web_problem(g.n));
        return;
    }
    /* boothook: nd_node_start ran it before this check could start */
    probe(0, sp);
    if (web) probe(1, wp);
    if (!g.door_ok[0])
        snprintf(why, n, "shell door on port %d: %s", sp,
                 g.probe[0] ? "connecting over the loopback" : "does not accept connections");
    else if (web && !g.door_ok[1])
        snprintf(why, n, "web door on port %d: %s", wp,
                 g.probe[1] ? "connecting over the loopback" : "does not accept connections");
}

static void tick(nd_timer *t, void *ud)
{
    (void)t;
    (void)ud;
    uint64_t now = nd_port_mono_ms();
    char why[sizeof g.health];
    health(now, why, sizeof why);
    if (!why[0]) {
        if (++g.streak >= ND_UPD_HEALTHY_TICKS) {
            confirm();
            return;
        }
        snprintf(g.health, sizeof g.health, "passing (%d of %d checks)", g.streak, ND_UPD_HEALTHY_TICKS);
    } else {
        g.streak = 0;
        snprintf(g.health, sizeof g.health, "%s", why);
    }
    if (now >= g.trial_end) {
        char msg[512]; /* roll_back cuts it to the record's size */
        snprintf(msg, sizeof msg, "version %s failed its health check within %u s (%s): rolled back to %s",
                 g.rec.version, (unsigned)g.rec.deadline_s, g.health, g.rec.prev_version);
        roll_back(msg);
        return;
    }
    g.due = now + ND_UPD_TICK_MS;
    if (g.due > g.trial_end) g.due = g.trial_end; /* the last check falls on the deadline */
    nd_timer_arm(&g.n->timers, &g.tick, g.due, tick, NULL);
}

static void trial_begin(void)
{
    nd_upd_crashpoint("trial");
    int64_t elapsed = nd_port_wall_ms() - g.rec.since_ms;
    if (elapsed < 0) elapsed = 0;
    int64_t left = (int64_t)g.rec.deadline_s * 1000 - elapsed;
    int64_t least = ND_UPD_TICK_MS * (ND_UPD_HEALTHY_TICKS + 1); /* time to pass at all */
    if (left < least) left = least;
    g.phase = G_TRIAL;
    g.trial_t0 = nd_port_mono_ms();
    g.trial_end = g.trial_t0 + (uint64_t)left;
    g.streak = 0;
    snprintf(g.health, sizeof g.health, "starting");
    nd_log(g.n, "[BOOT] update %lu: version %s on trial in slot %s (start %u of %d, %lld s left to pass "
                "its health check)",
           (unsigned long)g.rec.seq, g.rec.version, nd_upd_slot_name(g.rec.slot),
           (unsigned)g.rec.starts, ND_UPD_MAX_STARTS, (long long)((left + 999) / 1000));
    emit("trial", g.rec.seq, g.rec.version, "");
    /* the loopback probes start now, so the first tick can already pass */
    if (nd_shell_port(g.n) > 0) probe(0, nd_shell_port(g.n));
    if (nd_cfg_get_bool(g.n->cfg, ND_K_webui) && nd_web_port(g.n) > 0) probe(1, nd_web_port(g.n));
    g.due = g.trial_t0 + ND_UPD_TICK_MS;
    nd_timer_arm(&g.n->timers, &g.tick, g.due, tick, NULL);
}

/* ---- node half: entry points ------------------------------------------------------ */

void nd_update_start(struct nd_node *n)
{
    g.n = n;
    g.phase = G_IDLE;
    g.running = nd_upd_running_slot();
    slot_version(g.running, g.version);
    nd_upd_stage_abort(); /* a stage a kill left behind */
    rec_load(&g.rec);
    nd_upd_record *r = &g.rec;
    if (r->error[0] && !r->reported && r->state != ND_REC_TRIAL) {
        nd_log(n, "%s update %lu: %s", r->state == ND_REC_IDLE ? "[WARN]" : "[ERR]",
               (unsigned long)r->seq, r->error);
        r->reported = true;
        rec_save(r);
    }
    if (r->state == ND_REC_TRIAL && r->slot == g.running && g.running != ND_UPD_BASE) trial_begin();
}

void nd_update_stop(struct nd_node *n)
{
    (void)n;
    if (!g.n) return;
    if (g.job) {
        job *j = g.job;
        g.job = NULL;
        nd_log(g.n, "[WARN] update %lu: stopped by the shutdown before it finished", (unsigned long)j->id);
        job_free(j);
    }
    if (g.phase == G_TRIAL) trial_stop(); /* the next start counts as another trial start */
    nd_timer_disarm(&g.n->timers, &g.restart);
    g.n = NULL;
}

int nd_update_begin(struct nd_node *n, const nd_upd_req *req, uint32_t *id, char *err, size_t errn)
{
    if (!g.n) g.n = n;
#define REFUSE(...) return (snprintf(err, errn, __VA_ARGS__), ND_EINVAL)
    if (g.job) REFUSE("update %lu is still running (%s)", (unsigned long)g.job->id,
                      g.phase == G_FETCH ? "fetching" : "staging");
    if (g.phase == G_TRIAL)
        REFUSE("version %s is on trial: wait until it is confirmed or rolled back", g.rec.version);
    if (g.phase == G_RESTART) REFUSE("the node is restarting into another version");
    if ((req->url && req->file) || (!req->url && !req->file))
        REFUSE("give url='http://host:port/bundle.ndu' or file='user_data/bundle.ndu'");
    int act = nd_upd_active();
    if (act != g.running)
        REFUSE("slot %s is switched in but this node runs %s: restart first",
               nd_upd_slot_name(act), nd_upd_slot_name(g.running));
    job *j = calloc(1, sizeof *j);
    if (!j) REFUSE("out of memory");
    j->n = n;
    j->force = req->force;
    j->slot = act == ND_UPD_A ? ND_UPD_B : ND_UPD_A;
    j->keys = malloc(ND_UPD_KEYFILE_MAX);
    int rc = j->keys ? nd_fs_read(KEYFILE, j->keys, ND_UPD_KEYFILE_MAX, &j->keysn) : ND_ENOMEM;
    if (rc != ND_OK) {
        free(j->keys);
        free(j);
        if (rc == ND_ENOTFOUND)
            REFUSE("no trusted update key: put the release public key (nodus release --genkey) in "
                   "<state>/%s", KEYFILE);
        REFUSE("%s: %s", KEYFILE, rc == ND_ELIMIT ? "larger than 8 KiB" : nd_strerror(rc));
    }
    uint32_t next = (g.rec.seq > g.fail_id ? g.rec.seq : g.fail_id) + 1;
    j->id = next;
    if (req->file) {
        char safe[ND_UPD_PATH_MAX];
        nd_fs_info st;
        if (strncmp(req->file, "user_data/", 10) != 0 ||
            nd_http_safe_path(req->file, safe, sizeof safe) != ND_OK ||
            strncmp(safe, "user_data/", 10) != 0) {
            job_free(j);
            REFUSE("file must name an upload under user_data/ (as /fs stores it): %s", req->file);
        }
        snprintf(j->rel, sizeof j->rel, "web/%s", safe);
        if (nd_fs_stat(j->rel, &st) != ND_OK || st.dir) {
            job_free(j);
            REFUSE("no such file: %s", safe);
        }
        j->known = true;
        j->size = st.size;
        snprintf(g.source, sizeof g.source, "%s", safe);
        nd_timer_arm(&n->timers, &j->step, nd_port_mono_ms(), file_step, j);
    } else {
        static const nd_fetch_cb cb = {on_head, on_data, on_done};
        uint32_t idle = req->timeout_s ? req->timeout_s : 15;
        if (nd_fetch_start(n, req->url, idle * 1000u, BUNDLE_MAX, &cb, j, &j->fetch, err, errn) != ND_OK) {
            job_free(j);
            return ND_EINVAL;
        }
        snprintf(g.source, sizeof g.source, "%s", req->url);
    }
#undef REFUSE
    g.job = j;
    g.phase = G_FETCH;
    g.error[0] = 0;
    g.target[0] = 0;
    g.done = g.total = 0;
    *id = j->id;
    nd_log(n, "[INFO] update %lu: reading %s", (unsigned long)j->id, g.source);
    emit("fetching", j->id, "", "");
    return ND_OK;
}

int nd_update_rollback(struct nd_node *n, char *err, size_t errn)
{
    if (!g.n) g.n = n;
    nd_upd_record *r = &g.rec;
    if (g.job || g.phase == G_RESTART) {
        snprintf(err, errn, "an update is in progress");
        return ND_EINVAL;
    }
    if ((r->state != ND_REC_CONFIRMED && r->state != ND_REC_TRIAL) || g.running != r->slot ||
        g.running == ND_UPD_BASE) {
        snprintf(err, errn, "nothing to roll back: this node runs %s (slot %s) and the last update is %s",
                 g.version, nd_upd_slot_name(g.running), nd_upd_state_name(r->state));
        return ND_EINVAL;
    }
    char text[8];
    size_t k;
    if (r->prev != ND_UPD_BASE && nd_upd_slot_manifest(r->prev, text, sizeof text, &k) == ND_ENOTFOUND) {
        snprintf(err, errn, "slot %s no longer holds version %s", nd_upd_slot_name(r->prev), r->prev_version);
        return ND_EINVAL;
    }
    char why[ND_REC_ERR_MAX];
    snprintf(why, sizeof why, "version %s rolled back to %s by request", r->version, r->prev_version);
    roll_back(why);
    return ND_OK;
}

int nd_update_status(struct nd_node *n, nd_arena *a, nd_value *d)
{
    if (!g.n) {
        g.n = n;
        g.running = nd_upd_running_slot();
        slot_version(g.running, g.version);
        rec_load(&g.rec);
    }
    const nd_upd_record *r = &g.rec;
    const char *state;
    uint32_t id = r->seq;
    const char *error = r->error;
    const char *target = r->version;
    if (g.job) {
        state = g.phase == G_STAGE ? "staging" : "fetching";
        id = g.job->id;
        error = "";
        target = g.target;
    } else if (g.phase == G_RESTART) {
        state = "restarting";
    } else if (g.phase == G_TRIAL) {
        state = "trial";
    } else if (g.fail_id > r->seq) {
        state = "failed";
        id = g.fail_id;
        error = g.error;
        target = g.target;
    } else {
        state = nd_upd_state_name(r->state);
    }
    nd_value *v;
#define PUT(k, val) \
    if (!(v = (val)) || nd_dict_set(a, d, k, v) != ND_OK) return ND_ENOMEM
    PUT("state", nd_str(a, state));
    PUT("id", nd_int(a, id));
    PUT("version", nd_str(a, g.version));
    PUT("slot", nd_str(a, nd_upd_slot_name(g.running)));
    PUT("target", nd_str(a, target));
    if (g.job) {
        PUT("received", nd_int(a, (int64_t)g.done));
        PUT("total", nd_int(a, (int64_t)g.total));
        PUT("source", nd_str(a, g.source));
    }
    if (g.phase == G_TRIAL) {
        uint64_t now = nd_port_mono_ms();
        PUT("trial_left_s", nd_int(a, now < g.trial_end ? (int64_t)((g.trial_end - now + 999) / 1000) : 0));
        PUT("health", nd_str(a, g.health));
    }
    if (r->state != ND_REC_IDLE)
        PUT("previous", nd_strf(a, "%s (slot %s)", r->prev_version[0] ? r->prev_version : "-",
                                nd_upd_slot_name(r->prev)));
    PUT("error", nd_str(a, error));
    PUT("binary", nd_str(a, NODUS_VERSION));
    PUT("arch", nd_str(a, nd_upd_arch()));
#undef PUT
    return ND_OK;
}

int nd_update_web_path(const char *rel, char *out, size_t n)
{
    if (g.running != ND_UPD_A && g.running != ND_UPD_B) return ND_ENOTFOUND;
    int k = snprintf(out, n, "slots/%s/web/%s", nd_upd_slot_name(g.running), rel);
    return k > 0 && (size_t)k < n ? ND_OK : ND_ELIMIT;
}
