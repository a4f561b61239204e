/// A user's phone (DESIGN.md, `Client`): it registers a number with the relay, publishes prekey
/// bundles, sets up end-to-end sessions with X3DH, and sends and receives Double Ratchet envelopes
/// through the relay (docs/wire.md, docs/protocol.md). It is the only party besides the Cloud API
/// endpoint that sees plaintext: its own.
///
/// - `Phone` — the device: registration, `connect`, prekeys, `send`, `receive`, receipts, block,
///   report. Blocking calls with timeouts; one thread at a time.
/// - `ClientState` — everything the phone keeps (keys, sessions, relay token, seen envelope ids,
///   pending sends) as a value whose steps are pure; `StateFile` stores it atomically with mode 0600.
/// - `RelayConnection` — one TCP connection speaking the wire protocol; `ClientConnectionMachine`
///   is its pure core (reply matching, buffering of unsolicited frames, pongs).
public enum VigilClient {}
