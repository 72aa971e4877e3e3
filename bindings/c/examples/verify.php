<?php
// Verifies one QR text with libikd through PHP's FFI and prints the verdict JSON.
//
//   php verify.php LIBIKD_SO TRUST_STORE.json QR_TEXT_FILE [NOW]
//
// NOW is the time in Unix seconds; without it the host clock is read (ikd_now). Exits 0
// for a valid credential, 1 for a rejected one, 2 for misuse. PHP's CLI allows FFI by
// default (ffi.enable=preload); elsewhere set ffi.enable=1.
//
// FFI::cdef reads no preprocessor lines, so the declarations used are repeated here from
// include/ikd.h (the C enums are passed as int, which is how C passes them).

const IKD_CDEF = <<<'C'
typedef struct IkdVerifier IkdVerifier;
typedef struct IkdDetails {
  bool valid;
  bool has_cose_tag;
  uint64_t cose_tag;
  bool has_doc_type_number;
  uint64_t doc_type_number;
  bool has_siak_code;
  uint64_t siak_code;
} IkdDetails;
const char *ikd_version(void);
const char *ikd_status_name(int32_t status);
const char *ikd_last_error_message(void);
void ikd_string_free(char *text);
int ikd_now(int64_t *now);
int ikd_verifier_new(const char *trust_store_json, const char *policy_json, IkdVerifier **out);
void ikd_verifier_free(IkdVerifier *verifier);
int ikd_verify(const IkdVerifier *verifier, const char *qr, size_t qr_len, int64_t now,
               const char *nonce, const char *audience, char **verdict_json,
               IkdDetails *details);
C;

function misuse(FFI $ikd, int $status): int
{
    // FFI turns a returned `const char *` into a PHP string (or null).
    fwrite(STDERR, sprintf("error %s: %s\n", $ikd->ikd_status_name($status),
        $ikd->ikd_last_error_message() ?? ''));
    return 2;
}

function main(array $argv): int
{
    if (count($argv) < 4) {
        fwrite(STDERR, "usage: php verify.php LIBIKD_SO TRUST_STORE.json QR_TEXT_FILE [NOW]\n");
        return 2;
    }
    $ikd = FFI::cdef(IKD_CDEF, $argv[1]);
    $store = file_get_contents($argv[2]);
    $qr = file_get_contents($argv[3]);
    if ($store === false || $qr === false) {
        fwrite(STDERR, "cannot read the input files\n");
        return 2;
    }
    $qr = rtrim($qr, "\r\n");

    $now = $ikd->new('int64_t');
    if (count($argv) > 4) {
        $now->cdata = (int) $argv[4];
    } elseif (($status = $ikd->ikd_now(FFI::addr($now))) !== 0) {
        return misuse($ikd, $status);
    }

    $verifier = $ikd->new('IkdVerifier*');
    if (($status = $ikd->ikd_verifier_new($store, null, FFI::addr($verifier))) !== 0) {
        return misuse($ikd, $status);
    }
    $verdict = $ikd->new('char*');
    $details = $ikd->new('IkdDetails');
    $status = $ikd->ikd_verify($verifier, $qr, strlen($qr), $now->cdata, null, null,
        FFI::addr($verdict), FFI::addr($details));
    if ($status !== 0) {
        $ikd->ikd_verifier_free($verifier);
        return misuse($ikd, $status);
    }
    echo FFI::string($verdict), "\n";
    $ikd->ikd_string_free($verdict);
    $ikd->ikd_verifier_free($verifier);
    return $details->valid ? 0 : 1;
}

exit(main($argv));
