/*
** cli_release.c -- `nodus release`: signing keys and update bundles
** (cli_update.h). A host program: it may block, read whole directories and
** use the OS's entropy; the node only ever verifies (src/core/update_sig.c).
**
** A bundle is built in one pass: every file is hashed as it is read, the
** manifest (sorted paths) is signed, then the header, manifest, signature
** and the files are written to OUT.tmp, which is renamed over OUT.
*/
#define _XOPEN_SOURCE 700 /* POSIX 2008 (not _GNU_SOURCE: mbedTLS pulls in pthread.h) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/ecp.h"
#include "mbedtls/entropy.h"
#include "mbedtls/pk.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/version.h"
#include "cli_update.h"
#include "nodus/value.h"
#include "update_manifest.h"
#include "update_sig.h"

typedef struct {
    char path[ND_UPD_PATH_MAX]; /* in the bundle */
    char src[4096];             /* on this host */
    uint64_t size;
    uint8_t sha[32];
} entry;

static entry files[ND_UPD_FILES_MAX];
static int nfiles;

static int rng_init(mbedtls_entropy_context *ent, mbedtls_ctr_drbg_context *drbg)
{
    mbedtls_entropy_init(ent);
    mbedtls_ctr_drbg_init(drbg);
    static const unsigned char pers[] = "nodus release";
    return mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, ent, pers, sizeof pers - 1);
}

static void rng_free(mbedtls_entropy_context *ent, mbedtls_ctr_drbg_context *drbg)
{
    mbedtls_ctr_drbg_free(drbg);
    mbedtls_entropy_free(ent);
}

static int write_new(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        fprintf(stderr, "nodus release: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t n = strlen(text);
    bool ok = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0;
    if (close(fd) != 0) ok = false;
    if (!ok) fprintf(stderr, "nodus release: cannot write %s: %s\n", path, strerror(errno));
    return ok ? 0 : -1;
}

static int genkey(const char *dir)
{
    char kp[4096], pp[4096];
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "nodus release: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    snprintf(kp, sizeof kp, "%s/update.key", dir);
    snprintf(pp, sizeof pp, "%s/update.pub", dir);
    if (access(kp, F_OK) == 0 || access(pp, F_OK) == 0) {
        fprintf(stderr, "nodus release: %s already holds a key (update.key/update.pub): not overwritten\n",
                dir);
        return 1;
    }
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    static unsigned char priv[4096], pub[2048];
    int rc = 1;
    if (rng_init(&ent, &drbg) != 0 ||
        mbedtls_pk_setup(&pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0 ||
        mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(pk), mbedtls_ctr_drbg_random,
                            &drbg) != 0 ||
        mbedtls_pk_write_key_pem(&pk, priv, sizeof priv) != 0 ||
        mbedtls_pk_write_pubkey_pem(&pk, pub, sizeof pub) != 0) {
        fprintf(stderr, "nodus release: key generation failed\n");
    } else if (write_new(kp, (const char *)priv, 0600) == 0 && write_new(pp, (const char *)pub, 0644) == 0) {
        uint8_t id[8];
        char hex[17];
        nd_upd_keyid((const char *)pub, strlen((const char *)pub), id, NULL, 0);
        nd_upd_keyid_hex(id, hex);
        printf("key %s\n  private: %s (keep it secret, off the nodes)\n  public:  %s (copy it to "
               "<state>/config/update.pub on every node)\n",
               hex, kp, pp);
        rc = 0;
    }
    mbedtls_platform_zeroize(priv, sizeof priv);
    mbedtls_pk_free(&pk);
    rng_free(&ent, &drbg);
    return rc;
}

/* ---- collecting files ---------------------------------------------------------- */

static int hash_file(entry *e)
{
    FILE *f = fopen(e->src, "rb");
    if (!f) {
        fprintf(stderr, "nodus release: cannot read %s: %s\n", e->src, strerror(errno));
        return -1;
    }
    static unsigned char buf[1 << 16];
    nd_sha256 s;
    nd_sha256_begin(&s);
    size_t k;
    e->size = 0;
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
        nd_sha256_add(&s, buf, k);
        e->size += k;
    }
    int bad = ferror(f);
    fclose(f);
    nd_sha256_end(&s, e->sha);
    if (bad) {
        fprintf(stderr, "nodus release: read error in %s\n", e->src);
        return -1;
    }
    if (e->size > ND_UPD_FILE_MAX) {
        fprintf(stderr, "nodus release: %s is larger than a bundle file may be (256 MiB)\n", e->src);
        return -1;
    }
    return 0;
}

static int add_file(const char *path, const char *src)
{
    if (nfiles == ND_UPD_FILES_MAX) {
        fprintf(stderr, "nodus release: more than %d files\n", ND_UPD_FILES_MAX);
        return -1;
    }
    if (!nd_upd_path_ok(path, strlen(path))) {
        fprintf(stderr,
                "nodus release: %s cannot be shipped as %s (names of [A-Za-z0-9._-], no leading dot, "
                "at most %d levels, %d bytes)\n",
                src, path, ND_UPD_DEPTH_MAX, ND_UPD_PATH_MAX - 1);
        return -1;
    }
    entry *e = &files[nfiles++];
    snprintf(e->path, sizeof e->path, "%s", path);
    snprintf(e->src, sizeof e->src, "%s", src);
    return hash_file(e);
}

/* Every regular file under dir, as prefix/<relative path>. Dot files are
** skipped (editor and VCS litter); a symbolic link is refused: the bundle
** would ship whatever it points at today. */
static int add_tree(const char *dir, const char *prefix, int depth)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "nodus release: cannot read folder %s: %s\n", dir, strerror(errno));
        return -1;
    }
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.') {
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                fprintf(stderr, "nodus release: skipping %s/%s (dot file)\n", dir, de->d_name);
            continue;
        }
        char src[4096], path[1024];
        int ns = snprintf(src, sizeof src, "%s/%s", dir, de->d_name);
        int np = snprintf(path, sizeof path, "%s/%s", prefix, de->d_name);
        struct stat st;
        if (ns < 0 || (size_t)ns >= sizeof src || np < 0 || (size_t)np >= sizeof path) {
            /* a cut path would put the file under another name in the bundle */
            fprintf(stderr, "nodus release: %s/%s: path too long\n", dir, de->d_name);
            rc = -1;
        } else if (lstat(src, &st) != 0) {
            fprintf(stderr, "nodus release: %s: %s\n", src, strerror(errno));
            rc = -1;
        } else if (S_ISLNK(st.st_mode)) {
            fprintf(stderr, "nodus release: %s is a symbolic link: copy the file in instead\n", src);
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = depth >= ND_UPD_DEPTH_MAX ? (fprintf(stderr, "nodus release: %s: too deep\n", src), -1)
                                            : add_tree(src, path, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            rc = add_file(path, src);
        }
    }
    closedir(d);
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

/* The architecture of an ELF binary, as nodes name theirs (nd_upd_arch). */
static const char *elf_arch(const char *path)
{
    unsigned char h[20];
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t k = fread(h, 1, sizeof h, f);
    fclose(f);
    if (k < 20 || memcmp(h, "\177ELF", 4) != 0) return NULL;
    unsigned m = h[5] == 2 ? (unsigned)(h[18] << 8 | h[19]) : (unsigned)(h[18] | h[19] << 8);
    switch (m) {
    case 62: return "x86_64";
    case 183: return "aarch64";
    case 40: return "arm";
    case 3: return "i386";
    case 243: return h[4] == 2 ? "riscv64" : "riscv32";
    default: return "unknown";
    }
}

/* ---- signing and writing ---------------------------------------------------------- */

static int sign(const char *keypath, const char *manifest, size_t mlen, unsigned char *sig,
                size_t *slen, uint8_t keyid[8])
{
    struct stat st;
    if (stat(keypath, &st) == 0 && (st.st_mode & 077))
        fprintf(stderr, "nodus release: warning: %s is readable by others (chmod 600 it)\n", keypath);
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_pk_context pk;
    mbedtls_pk_init(&pk);
    int rc = -1;
    static unsigned char pub[2048];
    if (rng_init(&ent, &drbg) != 0) {
        fprintf(stderr, "nodus release: no entropy\n");
        goto out;
    }
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    int pr = mbedtls_pk_parse_keyfile(&pk, keypath, NULL, mbedtls_ctr_drbg_random, &drbg);
#else
    int pr = mbedtls_pk_parse_keyfile(&pk, keypath, NULL);
#endif
    if (pr != 0) {
        fprintf(stderr, "nodus release: %s is not a readable private key (PEM, no password)\n", keypath);
        goto out;
    }
    if (mbedtls_pk_write_pubkey_pem(&pk, pub, sizeof pub) != 0 ||
        nd_upd_keyid((const char *)pub, strlen((const char *)pub), keyid, NULL, 0) != ND_OK) {
        fprintf(stderr, "nodus release: %s is not an EC P-256 key (nodus release --genkey makes one)\n",
                keypath);
        goto out;
    }
    uint8_t digest[32];
    nd_sha256_of(manifest, mlen, digest);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
    pr = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, digest, 32, sig, ND_UPD_SIG_MAX, slen,
                         mbedtls_ctr_drbg_random, &drbg);
#else
    pr = mbedtls_pk_sign(&pk, MBEDTLS_MD_SHA256, digest, 32, sig, slen, mbedtls_ctr_drbg_random, &drbg);
#endif
    if (pr != 0 || *slen < ND_UPD_SIG_MIN || *slen > ND_UPD_SIG_MAX) {
        fprintf(stderr, "nodus release: signing failed\n");
        goto out;
    }
    /* check it the way a node will, with the public half */
    nd_upd_head h = {.mlen = (uint32_t)mlen, .slen = (uint16_t)*slen};
    memcpy(h.keyid, keyid, 8);
    char err[256];
    if (nd_upd_verify((const char *)pub, strlen((const char *)pub), &h, (const uint8_t *)manifest,
                      mlen, sig, err, sizeof err) != ND_OK) {
        fprintf(stderr, "nodus release: the signature does not verify: %s\n", err);
        goto out;
    }
    rc = 0;
out:
    mbedtls_pk_free(&pk);
    rng_free(&ent, &drbg);
    return rc;
}

static int copy_into(FILE *out, const entry *e)
{
    FILE *f = fopen(e->src, "rb");
    if (!f) return -1;
    static unsigned char buf[1 << 16];
    size_t k;
    uint64_t total = 0;
    nd_sha256 s;
    nd_sha256_begin(&s);
    while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
        nd_sha256_add(&s, buf, k);
        total += k;
        if (fwrite(buf, 1, k, out) != k) break;
    }
    fclose(f);
    uint8_t sum[32];
    nd_sha256_end(&s, sum);
    if (total != e->size || memcmp(sum, e->sha, 32) != 0) {
        fprintf(stderr, "nodus release: %s changed while the bundle was written\n", e->src);
        return -1;
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: nodus release --genkey DIR\n"
               "       nodus release --key KEY --version X.Y.Z-N [--board B] [--arch A]\n"
               "                     [--binary FILE] [--web DIR] [--modules DIR] -o OUT.ndu\n");
}

int nd_cli_release(int argc, char **argv)
{
    const char *key = NULL, *version = NULL, *board = "any", *arch = NULL, *binary = NULL;
    const char *web = NULL, *mods = NULL, *out = NULL, *gen = NULL;
    for (int i = 1; i < argc; i += 2) { /* every option takes one value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **dst = !strcmp(a, "--genkey")    ? &gen
                           : !strcmp(a, "--key")     ? &key
                           : !strcmp(a, "--version") ? &version
                           : !strcmp(a, "--board")   ? &board
                           : !strcmp(a, "--arch")    ? &arch
                           : !strcmp(a, "--binary")  ? &binary
                           : !strcmp(a, "--web")     ? &web
                           : !strcmp(a, "--modules") ? &mods
                           : (!strcmp(a, "-o") || !strcmp(a, "--output")) ? &out
                                                                            : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        if (!dst || !v) {
            fprintf(stderr, "nodus release: %s '%s'\n", dst ? "missing value after" : "unknown option", a);
            usage(stderr);
            return 1;
        }
        *dst = v;
    }
    if (gen) return genkey(gen);
    if (!key || !version || !out || (!binary && !web && !mods)) {
        usage(stderr);
        return 1;
    }
    nd_upd_ver ver;
    if (nd_upd_ver_parse(version, strlen(version), &ver) != ND_OK) {
        fprintf(stderr, "nodus release: version '%s' is not X.Y.Z-N (numbers, as micrOS)\n", version);
        return 1;
    }
    nfiles = 0;
    if (binary) {
        const char *ea = elf_arch(binary);
        if (ea && arch && strcmp(ea, arch) != 0) {
            fprintf(stderr, "nodus release: %s is an %s binary, not %s\n", binary, ea, arch);
            return 1;
        }
        if (!ea && !arch) {
            fprintf(stderr, "nodus release: %s is not an ELF binary: say which arch it runs on (--arch)\n",
                    binary);
            return 1;
        }
        if (!arch) arch = ea;
        if (add_file(ND_UPD_BINARY, binary) != 0) return 1;
    }
    if (!arch) arch = "any";
    if ((web && add_tree(web, "web", 1) != 0) || (mods && add_tree(mods, "modules", 1) != 0)) return 1;
    if (!nfiles) {
        fprintf(stderr, "nodus release: nothing to ship (the folders are empty)\n");
        return 1;
    }
    qsort(files, (size_t)nfiles, sizeof files[0], by_path);
    static char manifest[ND_UPD_MANIFEST_MAX + 1];
    size_t mlen = (size_t)snprintf(manifest, sizeof manifest,
                                   "nodus-bundle 1\nname nodus\nversion %s\narch %s\nboard %s\n", version,
                                   arch, board);
    uint64_t total = 0;
    for (int i = 0; i < nfiles && mlen < sizeof manifest; i++) {
        char hex[65];
        for (int k = 0; k < 32; k++) snprintf(hex + 2 * k, 3, "%02x", files[i].sha[k]);
        mlen += (size_t)snprintf(manifest + mlen, sizeof manifest - mlen, "file %s %llu %s\n",
                                 files[i].path, (unsigned long long)files[i].size, hex);
        total += files[i].size;
    }
    if (mlen >= sizeof manifest - 1) {
        fprintf(stderr, "nodus release: the manifest would exceed %d bytes (too many files)\n",
                ND_UPD_MANIFEST_MAX);
        return 1;
    }
    nd_upd_manifest m;
    char err[256];
    if (nd_upd_manifest_parse(manifest, mlen, &m, err, sizeof err) != ND_OK) {
        fprintf(stderr, "nodus release: %s\n", err); /* a bad --board or --arch */
        return 1;
    }
    unsigned char sig[ND_UPD_SIG_MAX];
    size_t slen = 0;
    uint8_t keyid[8];
    if (sign(key, manifest, mlen, sig, &slen, keyid) != 0) return 1;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    FILE *o = fopen(tmp, "wb");
    if (!o) {
        fprintf(stderr, "nodus release: cannot create %s: %s\n", tmp, strerror(errno));
        return 1;
    }
    uint8_t head[ND_UPD_HEAD];
    nd_upd_head_write(head, (uint32_t)mlen, (uint16_t)slen, keyid);
    bool ok = fwrite(head, 1, sizeof head, o) == sizeof head && fwrite(manifest, 1, mlen, o) == mlen &&
              fwrite(sig, 1, slen, o) == slen;
    for (int i = 0; ok && i < nfiles; i++) ok = copy_into(o, &files[i]) == 0;
    ok = ok && fflush(o) == 0 && fsync(fileno(o)) == 0;
    if (fclose(o) != 0) ok = false;
    if (!ok || rename(tmp, out) != 0) {
        fprintf(stderr, "nodus release: cannot write %s: %s\n", out, strerror(errno));
        unlink(tmp);
        return 1;
    }
    char hex[17];
    nd_upd_keyid_hex(keyid, hex);
    printf("%s: nodus %s for %s/%s, %d file%s, %llu bytes, signed by key %s\n", out, version, arch,
           board, nfiles, nfiles == 1 ? "" : "s",
           (unsigned long long)(ND_UPD_HEAD + mlen + slen + total), hex);
    return 0;
}
