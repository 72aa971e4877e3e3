"""Type stubs of ikd_verify, the IKD SDK for Python (offline verification of Indonesian
digital identity credentials from their QR codes)."""

from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union

__version__: str
#: Every IkdError code, in the order they were added (append-only).
ERROR_CODES: List[str]
#: How long a presentation is valid by default, in seconds.
DEFAULT_PRESENTATION_SECONDS: int

#: Unix seconds: an int, a whole float, or None for the host clock.
Now = Union[int, float, None]
#: A JSON document as text or as a mapping.
JsonLike = Union[str, Mapping[str, Any]]

class IkdError(Exception):
    """The caller's inputs could not be used. Never raised for a rejected credential."""

    #: The stable code: one of ERROR_CODES.
    code: str
    #: What went wrong, in English; never credential content.
    message: str

class Challenge:
    """A challenge the verifier showed: the nonce a presentation must bind, optionally
    with the verifier's audience."""

    def __init__(self, nonce: str, audience: Optional[str] = None) -> None: ...
    @staticmethod
    def parse(text: str) -> "Challenge":
        """Reads a challenge's QR text: IKDC: + code, optionally ; + audience."""
    @staticmethod
    def generate(length: int = 8, audience: Optional[str] = None) -> "Challenge":
        """A fresh random challenge from the host's randomness."""
    @property
    def nonce(self) -> str: ...
    @property
    def audience(self) -> Optional[str]: ...
    @property
    def display_code(self) -> str:
        """The code in groups of four, for people to read and type."""
    @property
    def qr_text(self) -> str:
        """The QR text a wallet scans."""

class Verdict:
    """The outcome of one verification. A rejected credential is a Verdict too."""

    @property
    def valid(self) -> bool: ...
    @property
    def reason_code(self) -> Optional[str]:
        """The rejection's reason code (spec/reason-codes.md), or None when valid."""
    @property
    def stage(self) -> Optional[str]: ...
    @property
    def reason_field(self) -> Optional[str]: ...
    @property
    def reason_claim(self) -> Optional[str]: ...
    @property
    def cose_tag(self) -> Optional[int]: ...
    @property
    def doc_type_number(self) -> Optional[int]: ...
    @property
    def siak_code(self) -> Optional[int]: ...
    @property
    def doc_type(self) -> Optional[str]:
        """ktp, kk, identity, age_over_17 or domicile, when valid."""
    @property
    def issuer_id(self) -> Optional[str]: ...
    @property
    def issuer_name(self) -> Optional[str]: ...
    @property
    def warnings(self) -> List[str]:
        """The warning codes, in order (empty when rejected)."""
    def to_json(self) -> str:
        """The verdict JSON (spec/schemas/verdict.schema.json)."""
    def to_dict(self) -> Dict[str, Any]:
        """The verdict JSON as a dict."""
    def disclosed(
        self, purpose: Literal["kyc", "identity", "age_check", "domicile"]
    ) -> Dict[str, Any]:
        """The verdict as this purpose may see it (disclosed-verdict.schema.json)."""

class Verifier:
    """Trust data, a policy and a replay guard, reused from one scan to the next."""

    def __init__(
        self,
        trust: Optional[JsonLike] = None,
        *,
        trust_list: Optional[bytes] = None,
        roots: Union[str, Sequence[str], None] = None,
        status_lists: Sequence[bytes] = (),
        policy: Optional[JsonLike] = None,
    ) -> None:
        """Give either `trust` (a trust store) or `trust_list` with its `roots`."""
    @staticmethod
    def from_bundle(
        bundle: bytes,
        roots: Union[str, Sequence[str]],
        now: Now = None,
        policy: Optional[JsonLike] = None,
    ) -> Tuple["Verifier", Dict[str, Any]]:
        """A verifier from a trust bundle (.ikdb), and what it installed."""
    def install_bundle(
        self, bundle: bytes, roots: Union[str, Sequence[str]], now: Now = None
    ) -> Dict[str, Any]:
        """Installs a trust bundle over the trust data held; refused: IkdError bundle_refused."""
    def add_status_list(self, token: bytes) -> Dict[str, Any]: ...
    def set_replay_mode(
        self, mode: Literal["off", "local", "unavailable"], capacity: int = 10000
    ) -> None: ...
    @property
    def replay_mode(self) -> Literal["off", "local", "unavailable"]: ...
    def verify(
        self, qr: str, now: Now = None, challenge: Optional[Challenge] = None
    ) -> Verdict:
        """Verifies scanned QR text at `now` (None: the host clock)."""
    def trust_summary(self, now: Now = None) -> Dict[str, Any]: ...

class DeviceKey:
    """A holder's device key, for tests and web wallets."""

    @staticmethod
    def generate(alg: Literal["EdDSA", "ES256"] = "EdDSA") -> "DeviceKey": ...
    @staticmethod
    def from_secret(alg: Literal["EdDSA", "ES256"], secret: bytes) -> "DeviceKey": ...
    @property
    def alg(self) -> str: ...
    @property
    def public_key(self) -> bytes: ...
    @property
    def secret(self) -> bytes: ...

def present(
    credential_qr: str,
    key: DeviceKey,
    now: Now = None,
    lifetime_seconds: int = ...,
    challenge: Optional[Challenge] = None,
) -> str:
    """A presentation's QR text: the credential shown with the holder's key."""

class Issuer:
    """A test issuer with its key in memory (never for real credentials)."""

    def __init__(
        self,
        seed: Optional[bytes] = None,
        issuer_id: str = "ID-DUKCAPIL-3273",
        name: str = "Disdukcapil Kota Bandung",
    ) -> None: ...
    @property
    def issuer_id(self) -> str: ...
    @property
    def public_key_hex(self) -> str: ...
    def trust_store(
        self, valid_from: int, valid_until: int, doc_types: Sequence[str] = ("ktp", "kk")
    ) -> str: ...
    def issue(
        self,
        document: JsonLike,
        now: Now = None,
        lifetime_seconds: int = 86400,
        holder_key: Union[DeviceKey, bytes, None] = None,
    ) -> str: ...

def sample_document(name: Literal["ktp", "kk-4", "kk-8"]) -> str: ...
def inspect(qr: str) -> Dict[str, Any]:
    """A QR text's layers, UNVERIFIED: for debugging only."""
