import Foundation
import Stats
import Storage
import Transport

extension TransportExport {
    /// Reads an export written by ``json()`` (from this or another shard). Estimates in the file
    /// are ignored; the state comes from the counters and the sketch images.
    /// - Throws: ``ExportError/malformedTransportExport(_:)`` naming the cell and field at fault.
    public init(json bytes: [UInt8]) throws(ExportError) {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
                throw ExportError.malformedTransportExport("the top level must be an object")
            }
            root = object
        } catch let error as ExportError {
            throw error
        } catch {
            throw .malformedTransportExport("not valid JSON (\(error.localizedDescription))")
        }
        guard let metadata = root["metadata"] as? [String: Any],
              metadata["audience"] as? String == "transport", metadata["format"] as? String == Self.format else {
            throw .malformedTransportExport("metadata must say audience \"transport\" and format \"\(Self.format)\" (a platform release cannot be merged)")
        }
        guard let fromText = metadata["from"] as? String, let from = UTCDay(fromText),
              let toText = metadata["to"] as? String, let to = UTCDay(toText), from <= to else {
            throw .malformedTransportExport("metadata.from / metadata.to must be days YYYY-MM-DD in order")
        }
        guard let shards = metadata["shards"] as? Int, shards >= 1 else { throw .malformedTransportExport("metadata.shards must be a positive integer") }
        guard let items = root["cells"] as? [[String: Any]] else { throw .malformedTransportExport("cells must be an array of objects") }
        var cells: [StatisticsCell: SketchCell] = [:]
        for (index, item) in items.enumerated() {
            let (cell, state) = try Self.decodeCell(item, at: index)
            guard cells[cell] == nil else { throw .malformedTransportExport("cells[\(index)]: \(cell) appears twice") }
            cells[cell] = state
        }
        self.init(days: from...to, shards: shards, cells: cells)
    }

    private static func decodeCell(_ item: [String: Any], at index: Int) throws(ExportError) -> (StatisticsCell, SketchCell) {
        func fail(_ message: String) -> ExportError { .malformedTransportExport("cells[\(index)]: \(message)") }
        guard let dayText = item["day"] as? String, let day = UTCDay(dayText) else { throw fail("day must be YYYY-MM-DD") }
        guard let dimensionName = item["dimension"] as? String, let dimension = StatisticsDimension(name: dimensionName) else {
            throw fail("unknown dimension")
        }
        guard let valueName = item["value"] as? String, let value = StatisticsCell.valueCode(named: valueName, in: dimension) else {
            throw fail("unknown value for dimension \(dimension)")
        }
        func count(_ object: [String: Any], _ key: String) throws(ExportError) -> Int64 {
            guard let number = object[key] as? Int64 ?? (object[key] as? Int).map(Int64.init), number >= 0 else {
                throw fail("\(key) must be a non-negative integer")
            }
            return number
        }
        func counts(_ key: String, _ names: [String]) throws(ExportError) -> [Int64] {
            guard let object = item[key] as? [String: Any] else { throw fail("\(key) must be an object") }
            var values: [Int64] = []
            for name in names { values.append(try count(object, name)) }
            return values
        }
        func image(_ key: String) throws(ExportError) -> [UInt8] {
            guard let text = item[key] as? String, let bytes = Base64.decode(text) else { throw fail("\(key) must be base64") }
            return bytes
        }
        let users: HLLSketch, businesses: HLLSketch, sizes: KLLFloatsSketch, latencies: KLLFloatsSketch
        do {
            users = try HLLSketch(serialized: try image("users_hll"))
            businesses = try HLLSketch(serialized: try image("businesses_hll"))
            sizes = try KLLFloatsSketch(serialized: try image("size_kll"))
            latencies = try KLLFloatsSketch(serialized: try image("latency_kll"))
        } catch let error as ExportError {
            throw error
        } catch {
            throw fail("a sketch image does not decode: \(error)")
        }
        let state = SketchCell(sent: try count(item, "sent"), delivered: try count(item, "delivered"), read: try count(item, "read"),
                               blocks: try counts("blocks", BlockReason.allCases.map(\.description)),
                               reports: try counts("reports", ReportReason.allCases.map(\.description)),
                               users: users, businesses: businesses, sizes: sizes, latencies: latencies)
        return (StatisticsCell(day: day, dimension: dimension, value: value), state)
    }
}
