import Columnar

/// Dense ids `0..<count` for the customers of an order table, one per row, and the way back
/// from ids to the customer column in the order of the key (strings by their bytes): what
/// `rfm` and `clv` both group orders by.
///
/// A string column's dictionary codes are the ids when its dictionary is not much larger
/// than the column (they are dense already, and the dictionary's sort ranks give the
/// order); else hashed groups.
struct CustomerIDs {
    let customer: Column
    let ids: [Int32]
    let count: Int
    private let dictionary: StringDictionary?
    private let index: GroupIndex?

    init(_ customer: Column) throws {
        self.customer = customer
        let n = customer.count
        if case .string(let codes, let dict) = customer.storage, n > 0, dict.count <= 2 * n,
           CustomerIDs.allBelow(codes, dict.count) {
            dictionary = dict; index = nil; ids = codes; count = dict.count
        } else {
            let gi = try Kernels.groupIDs(keys: [customer])
            dictionary = nil; index = gi; ids = gi.ids; count = gi.groupCount
        }
    }

    /// The ids with `kept[id]`, in the order of the customer key, and the customer column of
    /// them.
    func inKeyOrder(kept: UnsafeBufferPointer<Bool>) throws -> (ids: [Int32], customer: Column) {
        let g = count
        if let dictionary {
            // Codes in the byte order of their strings, kept when they have orders.
            let byRank = dictionary.sortedCodes
            let ids = [Int32](unsafeUninitializedCapacity: g) { out, initialized in
                var m = 0
                byRank.withUnsafeBufferPointer { byRank in
                    for c in byRank where kept[Int(c)] { out[m] = c; m += 1 }
                }
                initialized = m
            }
            return (ids, Column(.string(codes: ids, dictionary: dictionary)))
        }
        guard let index else { return ([], customer.gather([])) }
        var keptIDs: [Int32] = []
        keptIDs.reserveCapacity(g)
        for k in 0..<g where kept[k] { keptIDs.append(Int32(k)) }
        let keys = customer.gather(keptIDs.map { index.firstRow[Int($0)] })
        let order = keys.count > 0 ? try Kernels.sortPermutation(keys: [(keys, false)]) : []
        return (order.map { keptIDs[Int($0)] }, keys.gather(order))
    }

    /// Whether every code is in `0..<bound`.
    static func allBelow(_ codes: [Int32], _ bound: Int) -> Bool {
        codes.withUnsafeBufferPointer { c in
            var bad = false
            for x in c { bad = bad || UInt32(bitPattern: x) >= UInt32(truncatingIfNeeded: bound) }
            return !bad
        }
    }
}
