/// A byte-level Aho–Corasick automaton over the rules' required literals.
///
/// One pass over a line finds every literal it contains, so a line that cannot match any rule
/// (nearly all of them) costs one table lookup per byte and never reaches a regular expression.
struct LiteralPrefilter: Sendable {
    /// Bit set on a table entry whose target state completes at least one literal.
    private static let outputFlag: UInt32 = 1 << 31
    private static let stateMask: UInt32 = ~outputFlag

    /// Dense transition table: `table[state << 8 | byte]`.
    private let table: [UInt32]
    /// For each state, the indices of literals ending there (following failure links).
    private let outputs: [[Int32]]
    /// How many literals were given.
    let literalCount: Int

    /// Builds the automaton. Empty literals are ignored (they never report).
    init(literals: [[UInt8]]) {
        literalCount = literals.count
        var goto: [[Int32]] = [Array(repeating: -1, count: 256)]
        var out: [[Int32]] = [[]]
        for (index, literal) in literals.enumerated() where !literal.isEmpty {
            var state = 0
            for byte in literal {
                let next = goto[state][Int(byte)]
                if next >= 0 {
                    state = Int(next)
                } else {
                    goto.append(Array(repeating: -1, count: 256))
                    out.append([])
                    goto[state][Int(byte)] = Int32(goto.count - 1)
                    state = goto.count - 1
                }
            }
            out[state].append(Int32(index))
        }
        // Breadth-first failure links, folded into a complete DFA.
        var fail = Array(repeating: 0, count: goto.count)
        var queue: [Int] = []
        for byte in 0..<256 {
            let next = goto[0][byte]
            if next < 0 { goto[0][byte] = 0 } else { fail[Int(next)] = 0; queue.append(Int(next)) }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]; head += 1
            out[state] += out[fail[state]]
            for byte in 0..<256 {
                let next = goto[state][byte]
                if next < 0 {
                    goto[state][byte] = goto[fail[state]][byte]
                } else {
                    fail[Int(next)] = Int(goto[fail[state]][byte])
                    queue.append(Int(next))
                }
            }
        }
        var flat = [UInt32](repeating: 0, count: goto.count * 256)
        for state in 0..<goto.count {
            for byte in 0..<256 {
                let target = Int(goto[state][byte])
                // Outputs of a target are complete once its failure chain is processed; BFS order
                // guarantees that for every state before we read it here.
                flat[state << 8 | byte] = UInt32(target)
            }
        }
        for k in 0..<flat.count where !out[Int(flat[k])].isEmpty { flat[k] |= Self.outputFlag }
        table = flat
        outputs = out
    }

    /// Calls `found` with the index of each literal occurring in `bytes` (possibly repeatedly).
    @inline(__always)
    func scan(_ bytes: UnsafeRawBufferPointer, _ found: (Int) -> Void) {
        table.withUnsafeBufferPointer { t in
            var state: UInt32 = 0
            for byte in bytes {
                state = t[Int(state & Self.stateMask) << 8 | Int(byte)]
                if state & Self.outputFlag != 0 {
                    for index in outputs[Int(state & Self.stateMask)] { found(Int(index)) }
                }
            }
        }
    }
}
