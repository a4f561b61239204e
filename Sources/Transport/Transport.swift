/// Everything that moves bytes: syscall wrappers, the epoll event loop, the relay's wire frames and
/// the relay itself, with the plug-in points the integrity analyzer implements. Never links Crypto.
public enum VigilTransport {}
