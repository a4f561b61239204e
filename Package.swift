// swift-tools-version:6.0
import PackageDescription

/// One set of settings for every target: Swift 6 language mode (strict concurrency) comes with the
/// tools version; `ExistentialAny` makes every existential visible at its use site.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Vigil",
    products: [
        .library(name: "Stats", targets: ["Stats"]),
        .library(name: "Crypto", targets: ["Crypto"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "Client", targets: ["Client"]),
        .library(name: "CloudAPI", targets: ["CloudAPI"]),
        .library(name: "Integrity", targets: ["Integrity"]),
        .executable(name: "vigil", targets: ["vigil"]),
    ],
    targets: [
        // Pure sketches, windows and keyed hashing: no I/O, no clock, no randomness of its own.
        .target(name: "Stats", swiftSettings: swiftSettings),
        // The system's OpenSSL libcrypto, reached through a module map and a tiny inline shim.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto"),
        // Primitives over OpenSSL and the Signal-style protocol (X3DH, Double Ratchet) in Swift.
        .target(name: "Crypto", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        // The system's SQLite, through a module map and a tiny inline shim.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3"),
        // SQLite in WAL mode with migrations and group commit; never links Crypto (DESIGN.md rule 1).
        .target(name: "Storage", dependencies: ["CSQLite"], swiftSettings: swiftSettings),
        // epoll / eventfd / timerfd / per-thread rusage, which Glibc does not expose, and the
        // prefetch hint.
        .target(name: "CSystem"),
        // Syscall edge, event loop, wire frames, the relay and its plug-in points; never links Crypto.
        .target(name: "Transport", dependencies: ["CSystem", "Storage"], swiftSettings: swiftSettings),
        // A user's phone: registration, prekeys, sessions, send/receive over the relay, persisted state.
        .target(name: "Client", dependencies: ["Crypto", "Transport"], swiftSettings: swiftSettings),
        // The business's endpoint: key custody, decrypt-and-forward webhooks, the encrypted 30-day
        // store, and the Meta-compatible HTTP API.
        .target(name: "CloudAPI", dependencies: ["Crypto", "Transport", "Storage"], swiftSettings: swiftSettings),
        // The integrity analyzer: pseudonymized metadata in, per-business signals, quality rating,
        // messaging limits and admission out; never links Crypto or CloudAPI (DESIGN.md rule 1).
        .target(name: "Integrity", dependencies: ["Stats", "Storage", "Transport", "CSystem"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "vigil",
            dependencies: ["Stats", "Crypto", "Storage", "CSystem", "Transport", "Client", "CloudAPI", "Integrity"],
            path: "Tools/vigil",
            swiftSettings: swiftSettings
        ),
        // libFuzzer harnesses for every parser (FUZZING.md): a corpus replayer in this build; the
        // fuzzer itself when Fuzz/run.sh builds it with `--sanitize fuzzer -DFUZZING`.
        .executableTarget(
            name: "vigil-fuzz",
            dependencies: ["Stats", "Crypto", "Transport", "Client", "CloudAPI", "Integrity"],
            path: "Fuzz/VigilFuzz",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StatsTests",
            dependencies: ["Stats"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "StorageTests", dependencies: ["Storage"], swiftSettings: swiftSettings),
        .testTarget(name: "TransportTests", dependencies: ["Transport"], swiftSettings: swiftSettings),
        .testTarget(name: "ClientTests", dependencies: ["Client", "Transport", "Crypto"], swiftSettings: swiftSettings),
        .testTarget(name: "IntegrityTests", dependencies: ["Integrity", "Stats", "Transport", "Storage"], swiftSettings: swiftSettings),
        .testTarget(name: "CloudAPITests", dependencies: ["CloudAPI", "Client", "Transport", "Crypto", "Storage", "Integrity"], swiftSettings: swiftSettings),
        // DESIGN.md's module rules, checked against `swift package dump-package`.
        .testTarget(name: "ArchitectureTests", swiftSettings: swiftSettings),
        // Runs the built `vigil` binary and checks its output, exit status and error lines.
        .testTarget(name: "VigilToolTests", swiftSettings: swiftSettings),
        .testTarget(
            name: "CryptoTests",
            dependencies: ["Crypto"],
            resources: [.copy("Vectors")],
            swiftSettings: swiftSettings
        ),
    ]
)
