import Columnar

/// The classes of one or more class columns (a `tier` column before and after a what-if, the
/// old and new side of a compare, every step of a sweep) as dense `Int32` ids shared by all of
/// them, so that "did this row change class" is an integer comparison, never a string one.
///
/// A null class is a class of its own (label `Scalar.null`, shown as `∅`, as the table
/// renderer shows nulls).
struct ClassCodes {
    /// The label of each id.
    private(set) var labels: [Scalar] = []
    private var index: [Scalar: Int32] = [:]

    var count: Int { labels.count }

    /// The id of a label, adding it when new.
    mutating func id(of label: Scalar) -> Int32 {
        if let id = index[label] { return id }
        let id = Int32(labels.count)
        labels.append(label)
        index[label] = id
        return id
    }

    /// The display text of a class.
    func name(_ id: Int32) -> String { ClassCodes.name(of: labels[Int(id)]) }

    static func name(of label: Scalar) -> String { label.isNull ? "∅" : label.description }

    /// The class id of every row of `column`. String columns map each dictionary code once
    /// (a class column has few distinct values); other types go through the group-by kernel.
    mutating func encode(_ column: Column) throws -> [Int32] {
        let n = column.count
        switch column.storage {
        case .string(let codes, let dictionary):
            var byCode = [Int32](repeating: -1, count: dictionary.count)
            let nullID: Int32 = column.validity == nil ? -1 : id(of: .null)
            if column.validity == nil && dictionary.count <= 4096 {
                // A class column's dictionary is small: map every code first, then one
                // branch-free pass over the rows. Ids in order of first appearance, as below.
                var used = [Bool](repeating: false, count: dictionary.count)
                for c in codes where !used[Int(c)] { used[Int(c)] = true; byCode[Int(c)] = id(of: .string(dictionary.string(c))) }
                return byCode.withUnsafeBufferPointer { map in
                    codes.withUnsafeBufferPointer { c in
                        [Int32](unsafeUninitializedCapacity: n) { o, initialized in
                            for i in 0..<n { o[i] = map[Int(c[i])] }
                            initialized = n
                        }
                    }
                }
            }
            var out = [Int32](repeating: 0, count: n)
            codes.withUnsafeBufferPointer { c in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<n {
                        if nullID >= 0, column.isNull(i) { o[i] = nullID; continue }
                        let code = Int(c[i])
                        var k = byCode[code]
                        if k < 0 {
                            k = id(of: .string(dictionary.string(c[i])))
                            byCode[code] = k
                        }
                        o[i] = k
                    }
                }
            }
            return out
        default:
            guard n > 0 else { return [] }
            let groups = try Kernels.groupIDs(keys: [column])
            let ids = groups.firstRow.map { id(of: column[Int($0)]) }
            return groups.ids.map { ids[Int($0)] }
        }
    }

    /// Where the display order of classes comes from.
    enum OrderSource: Equatable {
        /// The rule order of the rule set that made the column (`session.classOrders`).
        case rules
        /// The rule order, followed by classes the rules do not name, sorted.
        case rulesThenSorted
        /// No rule order is known: classes sorted (numbers numerically, text by code point).
        case sorted
    }

    /// The display order of the classes: the rule order when known (every label of it is
    /// listed, also when no row has it, so an empty class shows as 0), then the other
    /// classes sorted, then `∅`. Adds the rule labels not seen yet.
    mutating func order(ruleOrder: [String]?) -> (ids: [Int32], source: OrderSource) {
        var ordered: [Int32] = []
        var placed = Set<Int32>()
        if let ruleOrder {
            let byName = Dictionary(labels.enumerated().filter { !$0.element.isNull }.map { (ClassCodes.name(of: $0.element), Int32($0.offset)) },
                                    uniquingKeysWith: { a, _ in a })
            for label in ruleOrder {
                let k = byName[label] ?? id(of: .string(label))
                if placed.insert(k).inserted { ordered.append(k) }
            }
        }
        let rest = (0..<Int32(labels.count)).filter { !placed.contains($0) && !labels[Int($0)].isNull }
            .sorted { ClassCodes.precedes(labels[Int($0)], labels[Int($1)]) }
        ordered += rest
        if let null = index[.null] { ordered.append(null) }
        let source: OrderSource = ruleOrder == nil ? .sorted : (rest.isEmpty ? .rules : .rulesThenSorted)
        return (ordered, source)
    }

    /// Sort order of labels: numbers numerically, before text; text by Unicode code points.
    static func precedes(_ a: Scalar, _ b: Scalar) -> Bool {
        switch (a.doubleValue, b.doubleValue) {
        case (let x?, let y?): return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return Array(a.description.unicodeScalars.map(\.value)).lexicographicallyPrecedes(b.description.unicodeScalars.map(\.value))
        }
    }
}
