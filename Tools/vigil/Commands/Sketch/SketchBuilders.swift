import Stats

/// Building, merging and describing the Count-Min, frequent-items and KLL sketches from the CLI.
enum SketchBuilders {
    // MARK: Count-Min

    static func countMin(_ lines: [InputLine], numHashes: Int, numBuckets: Int, numeric: NumericMode?) throws -> [UInt8] {
        var sketch = try CountMinSketch(numHashes: numHashes, numBuckets: numBuckets)
        for line in lines {
            let (item, weightText) = line.splitWeight()
            let weight = try weightText.map { text throws(CLIError) in try line.double(text) } ?? 1
            guard weight.isFinite else { throw CLIError("line \(line.number): weight must be finite") }
            switch numeric {
            case nil:
                if item.isEmpty { continue }
                sketch.update(SketchBytes(Array(item)), weight: weight)
            case .int: sketch.update(try line.integer(String(decoding: item, as: UTF8.self)), weight: weight)
            case .double: sketch.update(try line.double(String(decoding: item, as: UTF8.self)), weight: weight)
            }
        }
        return sketch.serialized()
    }

    static func mergeCountMin(_ images: [(String, [UInt8])]) throws -> [UInt8] {
        var merged: CountMinSketch?
        for (path, bytes) in images {
            let sketch = try decode(path) { () throws(SketchDecodingError) in try CountMinSketch(serialized: bytes) }
            if merged == nil {
                merged = sketch
            } else {
                do { try merged?.merge(sketch) } catch { throw CLIError("\(path): \(error)") }
            }
        }
        return merged?.serialized() ?? []
    }

    static func describeCountMin(_ path: String, _ bytes: [UInt8], item: String?, numeric: NumericMode?) throws -> JSONObject {
        let sketch = try decode(path) { () throws(SketchDecodingError) in try CountMinSketch(serialized: bytes) }
        var object = JSONObject()
        object.set("type", "cms")
        object.set("num_hashes", sketch.numHashes)
        object.set("num_buckets", sketch.numBuckets)
        object.set("seed", sketch.seed)
        object.set("empty", sketch.isEmpty)
        object.set("total_weight", sketch.totalWeight)
        object.set("relative_error", sketch.relativeError)
        if let item {
            let line = InputLine(number: 1, bytes: ArraySlice(item.utf8))
            let values: (Double, Double, Double)
            switch numeric {
            case nil:
                let key = SketchBytes(Array(item.utf8))
                values = (sketch.estimate(key), sketch.lowerBound(key), sketch.upperBound(key))
            case .int:
                let key = try line.integer(item)
                values = (sketch.estimate(key), sketch.lowerBound(key), sketch.upperBound(key))
            case .double:
                let key = try line.double(item)
                values = (sketch.estimate(key), sketch.lowerBound(key), sketch.upperBound(key))
            }
            object.set("item_estimate", values.0)
            object.set("item_lower_bound", values.1)
            object.set("item_upper_bound", values.2)
        }
        return object
    }

    // MARK: Frequent items

    static func frequentItems(_ lines: [InputLine], lgMaxMap: Int) throws -> [UInt8] {
        var sketch = try FrequentItemsSketch(lgMaxMapSize: lgMaxMap)
        for line in lines {
            let (item, weightText) = line.splitWeight()
            var weight: UInt64 = 1
            if let weightText {
                guard let value = UInt64(InputLine.trimmed(weightText)), value > 0 else {
                    throw CLIError("line \(line.number): weight '\(weightText)' is not a positive integer")
                }
                weight = value
            }
            if item.isEmpty { continue }
            sketch.update(String(decoding: item, as: UTF8.self), weight: weight)
        }
        return sketch.serialized()
    }

    static func mergeFrequentItems(_ images: [(String, [UInt8])]) throws -> [UInt8] {
        var merged: FrequentItemsSketch?
        for (path, bytes) in images {
            let sketch = try decode(path) { () throws(SketchDecodingError) in try FrequentItemsSketch(serialized: bytes) }
            if merged == nil { merged = sketch } else { merged?.merge(sketch) }
        }
        return merged?.serialized() ?? []
    }

    static func describeFrequentItems(_ path: String, _ bytes: [UInt8], item: String?) throws -> JSONObject {
        let sketch = try decode(path) { () throws(SketchDecodingError) in try FrequentItemsSketch(serialized: bytes) }
        var object = JSONObject()
        object.set("type", "fi")
        object.set("lg_max_map_size", sketch.lgMaxMapSize)
        object.set("empty", sketch.isEmpty)
        object.set("total_weight", sketch.totalWeight)
        object.set("num_active_items", sketch.numActiveItems)
        object.set("maximum_error", sketch.maximumError)
        object.set("epsilon", sketch.epsilon)
        if let item {
            object.set("item_estimate", sketch.estimate(item))
            object.set("item_lower_bound", sketch.lowerBound(item))
            object.set("item_upper_bound", sketch.upperBound(item))
        }
        return object
    }

    // MARK: KLL

    static func kll(_ lines: [InputLine], k: Int) throws -> [UInt8] {
        var sketch = try KLLFloatsSketch(k: UInt16(k))
        for line in lines {
            if line.bytes.isEmpty { continue }
            sketch.update(Float(try line.double(line.text)))
        }
        return sketch.serialized()
    }

    static func mergeKLL(_ images: [(String, [UInt8])]) throws -> [UInt8] {
        var merged: KLLFloatsSketch?
        for (path, bytes) in images {
            let sketch = try decode(path) { () throws(SketchDecodingError) in try KLLFloatsSketch(serialized: bytes) }
            if merged == nil { merged = sketch } else { merged?.merge(sketch) }
        }
        return merged?.serialized() ?? []
    }

    static func describeKLL(_ path: String, _ bytes: [UInt8], rank: Double?) throws -> JSONObject {
        let sketch = try decode(path) { () throws(SketchDecodingError) in try KLLFloatsSketch(serialized: bytes) }
        var object = JSONObject()
        object.set("type", "kll")
        object.set("k", Int(sketch.k))
        object.set("empty", sketch.isEmpty)
        object.set("n", sketch.n)
        object.set("num_retained", sketch.numRetained)
        object.set("estimation_mode", sketch.isEstimationMode)
        object.set("min", sketch.minItem.map(Double.init) ?? .nan)
        object.set("max", sketch.maxItem.map(Double.init) ?? .nan)
        object.set("normalized_rank_error", sketch.normalizedRankError(pmf: false))
        if let rank {
            guard !sketch.isEmpty else { throw CLIError("\(path): an empty sketch has no quantiles") }
            object.set("quantile", Double(try sketch.quantile(rank: rank)))
        }
        return object
    }
}
