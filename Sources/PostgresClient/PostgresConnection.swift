import CLibPQ
import Columnar
import Engine
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection (`PGconn`) used from one thread at a time, plus the cancel handle
/// that any thread may use while a command runs.
///
/// Every wait for the server is a `poll` of the socket in 100 ms slices, so a command can be
/// cancelled two ways: `cancel()` from another thread, or Ctrl-C (the shell's SIGINT handler
/// sets `Cancellation`). Both send `PQcancel`; the server then ends the command with SQLSTATE
/// 57014 and the command throws "query cancelled".
final class PostgresConnection: @unchecked Sendable {
    /// `PGconn *`; nil once closed.
    private var conn: OpaquePointer?
    private let connectionString: PostgresConnectionString

    /// What `cancel()` shares with the thread running commands.
    private struct CancelState {
        /// `PGcancel *` for the current backend.
        var handle: OpaquePointer?
        var running = false
        var requested = false
    }
    private let cancelState = Mutex(CancelState())

    /// How long to wait for the server to end a cancelled command before giving up on the
    /// connection.
    static let cancelGrace: Swift.Duration = .seconds(10)

    init(_ connectionString: PostgresConnectionString) throws {
        self.connectionString = connectionString
        conn = try PostgresConnection.open(connectionString)
        try afterConnect()
    }

    deinit { close() }

    // MARK: - Connecting

    private static func open(_ cs: PostgresConnectionString) throws -> OpaquePointer {
        // connect_timeout and the application name come before dbname, so the user's string
        // overrides them; nothing after it.
        var keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        var values = [String(cs.connectTimeout ?? 10), "segsh", cs.text]
        if let prompted = cs.promptedPassword {
            keywords.append("password")
            values.append(prompted)
        }
        let started = withCStrings(keywords) { k in withCStrings(values) { v in PQconnectStartParams(k, v, 1) } }
        guard let conn = started else { throw RemoteError("cannot connect to PostgreSQL: out of memory") }
        let deadline = ContinuousClock.now + .seconds(max(cs.connectTimeout ?? 10, 2))
        var state = PGRES_POLLING_WRITING
        if PQstatus(conn) == CONNECTION_BAD { state = PGRES_POLLING_FAILED }
        while state != PGRES_POLLING_OK {
            if state == PGRES_POLLING_FAILED {
                let message = connectionMessage(conn, secrets: cs.secrets)
                let needsPassword = PQconnectionNeedsPassword(conn) != 0
                PQfinish(conn)
                if needsPassword {
                    throw RemoteError("cannot connect to PostgreSQL: \(message); give the password in the URI, PGPASSWORD or ~/.pgpass",
                                      code: PostgresDatabase.passwordRequiredCode)
                }
                throw RemoteError("cannot connect to PostgreSQL: \(message)")
            }
            let forWrite: Int32 = state == PGRES_POLLING_WRITING ? 1 : 0
            while segsh_pq_wait_socket(PQsocket(conn), forWrite, 100) == 0 {
                if Cancellation.isRequested { PQfinish(conn); throw RemoteError("connecting to PostgreSQL cancelled") }
                if ContinuousClock.now > deadline {
                    PQfinish(conn)
                    throw RemoteError("cannot connect to PostgreSQL: no answer within \(cs.connectTimeout ?? 10) s; check the host and port, or set connect_timeout")
                }
            }
            state = PQconnectPoll(conn)
        }
        return conn
    }

    /// UTF-8, UTC, a fresh cancel handle.
    private func afterConnect() throws {
        guard let conn else { return }
        // Server notices ("table ... does not exist, skipping") are not the user's business:
        // libpq would print them on stderr.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        if PQsetClientEncoding(conn, "UTF8") != 0 {
            throw RemoteError("PostgreSQL: the server cannot send UTF-8 text (\(lastMessage()))")
        }
        if let integerTimes = PQparameterStatus(conn, "integer_datetimes"), String(cString: integerTimes) != "on" {
            throw RemoteError("PostgreSQL: the server stores dates as floating point (integer_datetimes off), which segsh does not read")
        }
        try execute("SET TIME ZONE 'UTC'")
        let handle = PQgetCancel(conn)
        cancelState.withLock { state in
            if let old = state.handle { PQfreeCancel(old) }
            state.handle = handle
        }
    }

    /// The live connection, reconnecting first when the last one was lost.
    private func live() throws -> OpaquePointer {
        guard let conn else { throw RemoteError("the PostgreSQL connection is closed; attach the database again") }
        if PQstatus(conn) == CONNECTION_BAD {
            PQreset(conn)
            if PQstatus(conn) == CONNECTION_BAD {
                throw RemoteError("the connection to PostgreSQL was lost and reconnecting failed: \(lastMessage())")
            }
            try afterConnect()
        }
        return conn
    }

    /// A server parameter (`server_version`, `TimeZone`), or nil.
    func parameter(_ name: String) -> String? {
        guard let conn, let value = PQparameterStatus(conn, name) else { return nil }
        return String(cString: value)
    }

    func close() {
        cancelState.withLock { state in
            if let handle = state.handle { PQfreeCancel(handle) }
            state.handle = nil
        }
        if let conn { PQfinish(conn) }
        conn = nil
    }

    // MARK: - Cancelling

    /// Sends a cancel request when a command is running. Safe from any thread.
    func cancel() {
        cancelState.withLock { state in
            guard state.running else { return }
            state.requested = true
            PostgresConnection.sendCancel(state.handle)
        }
    }

    private static func sendCancel(_ handle: OpaquePointer?) {
        guard let handle else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle, &buffer, Int32(buffer.count))
    }

    /// Marks a command as running for its duration; `body` gets a `CommandWatch` that
    /// notices cancel requests while it waits.
    func command<T>(_ body: (OpaquePointer, inout CommandWatch) throws -> T) throws -> T {
        let conn = try live()
        cancelState.withLock { $0.running = true; $0.requested = false }
        defer { cancelState.withLock { $0.running = false } }
        var watch = CommandWatch(connection: self)
        return try body(conn, &watch)
    }

    /// Whether `cancel()` was called during the current command.
    var cancelRequested: Bool { cancelState.withLock { $0.requested } }

    /// Follows cancel requests during one command: Ctrl-C (`Cancellation`) sends the cancel
    /// request, and a cancelled command that the server does not end in time gives up.
    struct CommandWatch {
        let connection: PostgresConnection
        private var cancelSentAt: ContinuousClock.Instant?

        init(connection: PostgresConnection) { self.connection = connection }

        /// Sends a cancel request when one is due (Ctrl-C, or `cancel()` that raced the
        /// command's start); throws when the server ignored it for too long.
        mutating func check() throws {
            if let sent = cancelSentAt {
                if ContinuousClock.now - sent > PostgresConnection.cancelGrace {
                    connection.abandon()
                    throw RemoteError("query cancelled; the server did not answer, so the connection was closed (the next command reconnects)")
                }
                return
            }
            let userCancel = Cancellation.isRequested
            let requested = connection.cancelState.withLock { state -> Bool in
                if userCancel { state.requested = true }
                return state.requested
            }
            if requested {
                cancelSentAt = .now
                connection.cancelState.withLock { PostgresConnection.sendCancel($0.handle) }
            }
        }

        /// Waits until the socket is readable (or writable), checking for cancel requests.
        mutating func wait(_ conn: OpaquePointer, forWrite: Bool = false) throws {
            while true {
                try check()
                let socket = PQsocket(conn)
                if socket < 0 { return }
                if segsh_pq_wait_socket(socket, forWrite ? 1 : 0, 100) != 0 { return }
            }
        }
    }

    /// Drops a connection that stopped answering; `live()` reconnects next time.
    private func abandon() {
        guard let conn else { return }
        // Closing the socket marks the connection bad; PQreset reopens it.
        let socket = PQsocket(conn)
        if socket >= 0 { _ = segsh_pq_shutdown_socket(socket) }
    }

    // MARK: - Results

    /// The next result of the running command (nil when there are no more), waiting for the
    /// server without blocking cancel requests.
    func nextResult(_ conn: OpaquePointer, _ watch: inout CommandWatch) throws -> OpaquePointer? {
        while PQisBusy(conn) != 0 {
            try watch.wait(conn)
            if PQconsumeInput(conn) == 0 { throw lostConnection() }
        }
        return PQgetResult(conn)
    }

    /// Reads the results of a sent command up to the last one; throws the first error.
    /// Returns the last result (the caller clears it), or stops at a COPY result.
    func finishCommand(_ conn: OpaquePointer, _ watch: inout CommandWatch) throws -> OpaquePointer? {
        var firstError: RemoteError?
        var last: OpaquePointer?
        while let result = try nextResult(conn, &watch) {
            let status = PQresultStatus(result)
            if status == PGRES_COPY_OUT || status == PGRES_COPY_IN {
                if let last { PQclear(last) }
                return result
            }
            if status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE {
                if firstError == nil { firstError = error(from: result) }
                PQclear(result)
                continue
            }
            if let last { PQclear(last) }
            last = result
        }
        if let firstError {
            if let last { PQclear(last) }
            throw firstError
        }
        return last
    }

    /// Sends `sql` (one or more statements, simple protocol) and waits for it to finish.
    func execute(_ sql: String) throws {
        try command { conn, watch in
            guard PQsendQuery(conn, sql) == 1 else { throw lostConnection() }
            if let result = try finishCommand(conn, &watch) {
                let status = PQresultStatus(result)
                PQclear(result)
                if status == PGRES_COPY_IN || status == PGRES_COPY_OUT {
                    throw RemoteError("PostgreSQL: COPY cannot run through execute; segsh loads and writes tables itself")
                }
            }
        }
    }

    /// Runs one statement with text parameters and returns its rows as text (nil for null).
    /// For catalog queries; table data goes through `copyOut`.
    func rows(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
        try command { conn, watch in
            let sent = withOptionalCStrings(parameters) { values in
                PQsendQueryParams(conn, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
            guard sent == 1 else { throw lostConnection() }
            guard let result = try finishCommand(conn, &watch) else { return [] }
            defer { PQclear(result) }
            let rowCount = Int(PQntuples(result)), columnCount = Int(PQnfields(result))
            return (0..<rowCount).map { row in
                (0..<columnCount).map { column -> String? in
                    if PQgetisnull(result, Int32(row), Int32(column)) != 0 { return nil }
                    return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
                }
            }
        }
    }

    /// The result columns of a query without running it: name, type OID and type name.
    func describe(_ sql: String) throws -> [(name: String, oid: UInt32)] {
        try command { conn, watch in
            guard PQsendPrepare(conn, "", sql, 0, nil) == 1 else { throw lostConnection() }
            if let prepared = try finishCommand(conn, &watch) { PQclear(prepared) }
            guard PQsendDescribePrepared(conn, "") == 1 else { throw lostConnection() }
            guard let described = try finishCommand(conn, &watch) else { return [] }
            defer { PQclear(described) }
            return (0..<PQnfields(described)).map { i in
                (String(cString: PQfname(described, i)), UInt32(PQftype(described, i)))
            }
        }
    }

    /// Runs `COPY ... TO STDOUT` and hands each data row (one CopyData message) to `row`.
    /// When `row` throws, the command is cancelled and drained, and the error is rethrown.
    func copyOut(_ copySQL: String, row: (UnsafeRawBufferPointer) throws -> Void) throws {
        try command { conn, watch in
            guard PQsendQuery(conn, copySQL) == 1 else { throw lostConnection() }
            guard let started = try finishCommand(conn, &watch) else {
                throw RemoteError("PostgreSQL: COPY did not start")
            }
            let status = PQresultStatus(started)
            PQclear(started)
            guard status == PGRES_COPY_OUT else { throw RemoteError("PostgreSQL: COPY did not start (\(String(cString: PQresStatus(status))))") }
            var readerError: Error?
            var rows = 0
            while true {
                var buffer: UnsafeMutablePointer<CChar>?
                let n = PQgetCopyData(conn, &buffer, 1)
                if n > 0, let buffer {
                    if readerError == nil {
                        do { try row(UnsafeRawBufferPointer(start: buffer, count: Int(n))) } catch {
                            readerError = error
                            PostgresConnection.sendCancelNow(self)
                        }
                    }
                    PQfreemem(buffer)
                    rows &+= 1
                    if rows & 4095 == 0 { try watch.check() }
                } else if n == 0 {
                    try watch.wait(conn)
                    if PQconsumeInput(conn) == 0 { throw lostConnection() }
                } else if n == -1 {
                    break
                } else {
                    throw lostConnection()
                }
            }
            do {
                if let done = try finishCommand(conn, &watch) { PQclear(done) }
            } catch {
                if let readerError { throw readerError }
                throw error
            }
            if let readerError { throw readerError }
        }
    }

    private static func sendCancelNow(_ connection: PostgresConnection) {
        connection.cancelState.withLock { sendCancel($0.handle) }
    }

    /// Runs `COPY ... FROM STDIN` and sends the bytes that `produce` writes, in chunks.
    func copyIn(_ copySQL: String, produce: (_ send: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        try command { conn, watch in
            guard PQsendQuery(conn, copySQL) == 1 else { throw lostConnection() }
            guard let started = try finishCommand(conn, &watch) else { throw RemoteError("PostgreSQL: COPY did not start") }
            let status = PQresultStatus(started)
            PQclear(started)
            guard status == PGRES_COPY_IN else { throw RemoteError("PostgreSQL: COPY did not start (\(String(cString: PQresStatus(status))))") }
            do {
                try produce { bytes in
                    guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
                    try watch.check()
                    let rc = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        PQputCopyData(conn, $0, Int32(bytes.count))
                    }
                    if rc != 1 { throw lostConnection() }
                }
            } catch {
                _ = PQputCopyEnd(conn, "segsh stopped the copy")
                _ = try? finishCommand(conn, &watch).map { PQclear($0) }
                throw error
            }
            guard PQputCopyEnd(conn, nil) == 1 else { throw lostConnection() }
            if let done = try finishCommand(conn, &watch) { PQclear(done) }
        }
    }

    /// Whether the connection is inside a transaction block (open or failed).
    var inTransaction: Bool {
        guard let conn else { return false }
        let status = PQtransactionStatus(conn)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    // MARK: - Errors

    /// The connection's last message, on one line, without the password.
    func lastMessage() -> String {
        guard let conn else { return "connection closed" }
        return PostgresConnection.connectionMessage(conn, secrets: connectionString.secrets)
    }

    static func connectionMessage(_ conn: OpaquePointer, secrets: [String]) -> String {
        let text = PQerrorMessage(conn).map { String(cString: $0) } ?? ""
        return oneLine(text, secrets: secrets)
    }

    /// Joins the lines of a libpq message, drops the `ERROR:`/`FATAL:` prefixes, hides secrets.
    static func oneLine(_ text: String, secrets: [String]) -> String {
        var lines: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            var l = line.trimmingSpaces
            for prefix in ["ERROR:  ", "FATAL:  "] { l = l.replacingAll(prefix, with: "") }
            if !l.isEmpty { lines.append(l) }
        }
        // A new sentence on the next line gets a full stop ("Connection refused. Is the server
        // running ..."); a wrapped line continues with a space.
        var joined = ""
        for line in lines {
            if !joined.isEmpty {
                let ended = joined.last.map { ".?!:;".contains($0) } ?? true
                joined += (!ended && line.first?.isUppercase == true) ? ". " : " "
            }
            joined += line
        }
        return PostgresConnectionString.redact(joined.isEmpty ? "no message from libpq" : joined, secrets: secrets)
    }

    func lostConnection() -> RemoteError {
        RemoteError("the connection to PostgreSQL was lost: \(lastMessage()) (the next command reconnects)", code: "08006")
    }

    /// A `RemoteError` from an error result: the server's message, detail and hint.
    func error(from result: OpaquePointer) -> RemoteError {
        func field(_ code: UInt8) -> String? {
            guard let value = PQresultErrorField(result, Int32(code)) else { return nil }
            let s = PostgresConnection.oneLine(String(cString: value), secrets: connectionString.secrets)
            return s.isEmpty ? nil : s
        }
        let sqlstate = field(UInt8(ascii: "C"))
        var message = field(UInt8(ascii: "M"))
            ?? PostgresConnection.oneLine(String(cString: PQresultErrorMessage(result)), secrets: connectionString.secrets)
        if let detail = field(UInt8(ascii: "D")) { message += " (\(detail))" }
        if let hint = field(UInt8(ascii: "H")) { message += "; hint: \(hint)" }
        if sqlstate == "57014" && cancelRequested {
            return RemoteError("query cancelled (PostgreSQL: \(message))", code: sqlstate)
        }
        if sqlstate?.hasPrefix("08") == true || sqlstate == "57P01" || conn.map({ PQstatus($0) == CONNECTION_BAD }) == true {
            return RemoteError("the connection to PostgreSQL was lost: \(message) (the next command reconnects)", code: sqlstate)
        }
        return RemoteError("PostgreSQL: \(message)", code: sqlstate)
    }
}

// MARK: - C strings

/// Calls `body` with a NULL-terminated array of C strings.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStrings(strings.map { Optional($0) }) { body($0) }
}

func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: strings.count + 1)
    var copies: [UnsafeMutablePointer<CChar>?] = []
    for (i, s) in strings.enumerated() {
        let copy = s.flatMap { strdup($0) }
        copies.append(copy)
        array[i] = UnsafePointer(copy)
    }
    array[strings.count] = nil
    defer {
        for p in copies { free(p) }
        array.deallocate()
    }
    return body(array)
}
