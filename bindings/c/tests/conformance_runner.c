/*
 * Runs conformance requests through libikd, for tests/conformance.rs (which speaks the
 * runner protocol and hands this program each request flattened to one line, so that C
 * needs no JSON parser). Fields are separated by tabs; text and bytes are in hex:
 *
 *   kind(s|l) trust roots status_lists policy qr now nonce audience replay(0|1|2)
 *
 * kind s: trust is a trust store's JSON; l: a signed trust list, roots its pinned keys
 * (comma-separated hex, given as text). status_lists: comma-separated tokens or "-".
 * nonce, audience: "-" for none. replay 1: a local cache, verify twice, answer the
 * second; 2: the replay store is unavailable.
 *
 * Answers one line: {"details":[valid,has_tag,tag,has_dt,dt,has_siak,siak],"verdict":{...}}
 * or {"error":"<status name>"}. Every allocation is freed, so valgrind can prove the
 * library frees its own.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ikd.h"

enum { FIELDS = 10 };

static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes hex into a new NUL-terminated buffer; NULL for "-" or bad hex. */
static uint8_t *unhex(const char *text, size_t *len) {
    size_t n = strlen(text);
    if (strcmp(text, "-") == 0 || n % 2 != 0) return NULL;
    uint8_t *out = malloc(n / 2 + 1);
    if (out == NULL) return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    out[n / 2] = 0;
    if (len != NULL) *len = n / 2;
    return out;
}

static void answer_error(IkdStatus status) {
    printf("{\"error\":\"%s\"}\n", ikd_status_name(status));
    fflush(stdout);
}

static IkdStatus make_verifier(char **field, IkdVerifier **verifier) {
    size_t trust_len = 0;
    uint8_t *trust = unhex(field[1], &trust_len);
    char *policy = (char *)unhex(field[4], NULL);
    IkdStatus status;
    if (field[0][0] == 's') {
        status = ikd_verifier_new((const char *)trust, policy, verifier);
    } else {
        char *roots = (char *)unhex(field[2], NULL);
        status = ikd_verifier_new_from_trust_list(trust, trust_len, roots, policy, verifier);
        free(roots);
    }
    free(trust);
    free(policy);
    if (status != IKD_OK || strcmp(field[3], "-") == 0) return status;
    char *lists = strdup(field[3]);
    char *save = NULL;
    for (char *token = strtok_r(lists, ",", &save); token != NULL && status == IKD_OK;
         token = strtok_r(NULL, ",", &save)) {
        size_t len = 0;
        uint8_t *bytes = unhex(token, &len);
        status = ikd_verifier_add_status_list(*verifier, bytes, len);
        free(bytes);
    }
    free(lists);
    return status;
}

static void run(char **field) {
    IkdVerifier *verifier = NULL;
    IkdStatus status = make_verifier(field, &verifier);
    int replay = atoi(field[9]);
    if (status == IKD_OK && replay == 1) {
        status = ikd_verifier_set_replay_mode(verifier, IKD_REPLAY_LOCAL, 16);
    } else if (status == IKD_OK && replay == 2) {
        status = ikd_verifier_set_replay_mode(verifier, IKD_REPLAY_UNAVAILABLE, 0);
    }
    if (status != IKD_OK) {
        ikd_verifier_free(verifier);
        answer_error(status);
        return;
    }
    size_t qr_len = 0;
    uint8_t *qr = strlen(field[5]) == 0 ? calloc(1, 1) : unhex(field[5], &qr_len);
    int64_t now = strtoll(field[6], NULL, 10);
    char *nonce = (char *)unhex(field[7], NULL);
    char *audience = (char *)unhex(field[8], NULL);
    char *verdict = NULL;
    IkdDetails details;
    memset(&details, 0, sizeof details);
    if (replay == 1) {
        status = ikd_verify(verifier, qr, qr_len, now, nonce, audience, &verdict, NULL);
        ikd_string_free(verdict);
        verdict = NULL;
    }
    if (status == IKD_OK) {
        status = ikd_verify(verifier, qr, qr_len, now, nonce, audience, &verdict, &details);
    }
    if (status == IKD_OK) {
        for (char *c = verdict; *c != 0; c++) {
            if (*c == '\n') *c = ' ';
        }
        printf("{\"details\":[%d,%d,%" PRIu64 ",%d,%" PRIu64 ",%d,%" PRIu64 "],\"verdict\":%s}\n",
               details.valid, details.has_cose_tag, details.cose_tag,
               details.has_doc_type_number, details.doc_type_number, details.has_siak_code,
               details.siak_code, verdict);
        fflush(stdout);
    } else {
        answer_error(status);
    }
    ikd_string_free(verdict);
    free(qr);
    free(nonce);
    free(audience);
    ikd_verifier_free(verifier);
}

int main(void) {
    char *line = NULL;
    size_t capacity = 0;
    ssize_t read;
    while ((read = getline(&line, &capacity, stdin)) > 0) {
        if (line[read - 1] == '\n') line[read - 1] = 0;
        char *field[FIELDS];
        int count = 0;
        char *start = line;
        for (char *c = line;; c++) {
            if (*c == '\t' || *c == 0) {
                int end = *c == 0;
                *c = 0;
                if (count < FIELDS) field[count] = start;
                count++;
                start = c + 1;
                if (end) break;
            }
        }
        if (count != FIELDS) {
            printf("{\"error\":\"bad request line\"}\n");
            fflush(stdout);
            continue;
        }
        run(field);
    }
    free(line);
    return 0;
}
