/// Where one ``MessageStore`` keeps its files: a region's directory under the data directory, or a
/// business's own local-storage directory. A business's records are written only to its location;
/// the caller maps each business to one with ``forBusiness(region:localStorageDirectory:dataDirectory:)``
/// and keeps one store per location.
///
/// Inside the directory: `keys.sqlite` (the wrapped day keys) and `days/YYYY-MM-DD.sqlite`.
public struct StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// What kind of location this is.
    public enum Placement: Sendable, Hashable {
        /// A region's shared directory, `DATA/regions/<region>`.
        case region(StorageRegion)
        /// A business's local-storage directory (a business option: its records stay there).
        case localStorage
    }

    /// Region or local storage.
    public let placement: Placement
    /// The directory the store's files live in.
    public let directory: String

    /// The region's directory under `dataDirectory`: `DATA/regions/na` or `DATA/regions/eu`.
    /// ``MessageStore`` creates `regions/<region>` (mode 0700) under an existing data directory.
    public static func region(_ region: StorageRegion, dataDirectory: String) -> StoreLocation {
        let base = dataDirectory.isEmpty ? "." : trimmed(dataDirectory)
        return StoreLocation(placement: .region(region), directory: (base == "/" ? "" : base) + "/regions/" + region.rawValue)
    }

    /// A business's local-storage directory. ``MessageStore`` requires it to exist already: a
    /// missing mount must not make records land on whatever disk is underneath.
    public static func localStorage(directory: String) -> StoreLocation {
        StoreLocation(placement: .localStorage, directory: trimmed(directory))
    }

    /// The location of a business's records: its local-storage directory when it has one,
    /// otherwise its region's directory.
    public static func forBusiness(
        region: StorageRegion, localStorageDirectory: String?, dataDirectory: String
    ) -> StoreLocation {
        if let localStorageDirectory, !localStorageDirectory.isEmpty {
            return localStorage(directory: localStorageDirectory)
        }
        return self.region(region, dataDirectory: dataDirectory)
    }

    /// "region na at DIR" or "local storage at DIR".
    public var description: String {
        switch placement {
        case let .region(region): "region \(region.rawValue) at \(directory)"
        case .localStorage: "local storage at \(directory)"
        }
    }

    /// `path` without trailing slashes (`/` stays `/`).
    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
