import Columnar
import Dispatch
import Engine
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import IO

/// A Spark cluster reached through Spark Connect (Spark 3.5+/4.x, Databricks-style URLs).
///
/// Queries run as `ExecutePlan` with a SQL relation; the Arrow batches of the result are
/// decoded one at a time into the columns being built (`ArrowStreamReader`), so memory is
/// bounded by the result. Executions are reattachable: a stream that ends early or drops is
/// resumed with `ReattachExecute` from the last response read, at most `maxReattempts` times
/// in a row; every call has a deadline; each execution is released (`ReleaseExecute`) when
/// read. `cancel()` (or Ctrl-C, seen through `Cancellation`) sends `Interrupt`.
///
/// Each new session runs `sessionSetup` first (segsh's dialect: UTC, so timestamps and dates
/// mean the same as in memory), and creates `functions` before its first statement that calls
/// one. When the server restarted or the session expired, the call fails with a message
/// saying so and a new session (set up again) is started for the next statement.
///
/// All calls block the calling thread (segsh's engine is synchronous); `cancel()` may be
/// called from another thread.
public final class SparkConnectDatabase: RemoteDatabase, @unchecked Sendable {
    public let engineName = "Spark"
    public private(set) var serverVersion = ""
    /// Where this connects (without its token).
    public let url: SparkConnectURL

    /// The deadline of a call that returns at once (schema, interrupt, release).
    public var callTimeout: Swift.Duration = .seconds(30)
    /// The deadline of the first call, which tells an unreachable server.
    public let connectTimeout: Swift.Duration
    /// The deadline of one result stream; a longer query goes on through reattaching.
    public var streamTimeout: Swift.Duration = .seconds(300)
    /// How many times in a row a dropped stream is reattached before giving up.
    public var maxReattempts = 3

    typealias Transport = HTTP2ClientTransport.Posix
    private let client: GRPCClient<Transport>
    private let service: Spark_Connect_SparkConnectService.Client<Transport>
    private let connections: Task<Void, Never>
    private let metadata: Metadata
    private let state = NSLock()
    private var sessionID = UUID().uuidString.lowercased()
    private var serverSessionID: String?
    private var runningOperation: String?
    private var closed = false
    /// Set when a new session replaced one the server lost, for the next message.
    private var needsSessionSetup = true
    /// The statements every new session runs first.
    public let sessionSetup: [String]
    /// Functions the caller's SQL may call (`CREATE TEMPORARY FUNCTION` statements, callee
    /// first): created in a session before its first statement whose text has `marker`, not
    /// at connecting (each takes the server about 0.1 s).
    public let functions: (marker: String, statements: [String])?
    /// Whether this session has `functions` already.
    private var functionsCreated = false

    /// Connects to `url` (`sc://HOST:PORT[/;token=...;user_id=...;use_ssl=...]`) and asks
    /// the server for its version, then sets the session up (`sessionSetup`: UTC unless
    /// told otherwise). Throws a `RemoteError` for a bad URL or a server that does not answer
    /// within `connectTimeout`.
    public init(url text: String, connectTimeout: Swift.Duration = .seconds(10),
                sessionSetup: [String] = ["SET spark.sql.session.timeZone=UTC"],
                functions: (marker: String, statements: [String])? = nil) throws {
        url = try SparkConnectURL(text)
        self.connectTimeout = connectTimeout
        self.sessionSetup = sessionSetup
        self.functions = functions
        let transport: Transport
        do {
            let security: HTTP2ClientTransport.Posix.TransportSecurity = url.useTLS ? .tls() : .plaintext
            transport = try HTTP2ClientTransport.Posix(
                target: .dns(host: url.host, port: url.port),
                transportSecurity: security,
                config: .defaults { $0.backoff = .init(initial: .milliseconds(100), max: .seconds(2), multiplier: 1.6, jitter: 0.2) })
        } catch {
            throw RemoteError("cannot set up a connection to \(url.address): \(error)")
        }
        client = GRPCClient(transport: transport)
        service = Spark_Connect_SparkConnectService.Client(wrapping: client)
        let running = client
        connections = Task.detached { try? await running.runConnections() }
        var headers = Metadata()
        if let token = url.token { headers.addString("Bearer \(token)", forKey: "authorization") }
        for (key, value) in url.metadata.sorted(by: { $0.key < $1.key }) { headers.addString(value, forKey: key) }
        metadata = headers
        do {
            serverVersion = try fetchVersion(timeout: connectTimeout)
            try setUpSession()
        } catch {
            close()
            throw error
        }
    }

    deinit { if !closed { client.beginGracefulShutdown() } }

    // MARK: RemoteDatabase

    public func query(_ sql: String) throws -> Table {
        try createFunctions(for: sql)
        var plan = Spark_Connect_Plan()
        var relation = Spark_Connect_Relation()
        relation.sql.query = sql
        plan.root = relation
        let reader = ArrowStreamReader()
        try execute(plan, reading: reader)
        do {
            return try reader.finish()
        } catch let error as ArrowError {
            throw RemoteError(error.message)
        }
    }

    public func execute(_ sql: String) throws {
        try createFunctions(for: sql)
        try execute(Self.commandPlan(sql), reading: nil)
    }

    /// A plan that runs the SQL statement `sql` as a command.
    private static func commandPlan(_ sql: String) -> Spark_Connect_Plan {
        var plan = Spark_Connect_Plan()
        var command = Spark_Connect_Command()
        command.sqlCommand.sql = sql
        plan.command = command
        return plan
    }

    public func tables() throws -> [RemoteTableName] {
        let current = try query("SELECT current_database() AS db")
        let currentDatabase = current.rowCount > 0 ? current.columns[0][0].description : "default"
        let databases = try query("SHOW DATABASES")
        var names: [RemoteTableName] = []
        var seen = Set<RemoteTableName>()
        for row in 0..<databases.rowCount {
            let database = databases.columns[0][row].description
            let listed = try query("SHOW TABLES IN \(quote(database))")
            guard let nameColumn = listed.index(of: "tableName") else { continue }
            let temporary = listed.index(of: "isTemporary")
            for i in 0..<listed.rowCount {
                let isTemporary = temporary.map { listed.columns[$0][i] == .bool(true) } ?? false
                let schema: String? = isTemporary || database == currentDatabase ? nil : database
                let name = RemoteTableName(schema: schema, table: listed.columns[nameColumn][i].description)
                if seen.insert(name).inserted { names.append(name) }
            }
        }
        return names
    }

    public func columns(of table: RemoteTableName) throws -> [RemoteColumn] {
        let described = try query("DESCRIBE TABLE \(qualified(table))")
        var columns: [RemoteColumn] = []
        guard described.columnCount >= 2 else { return [] }
        for row in 0..<described.rowCount {
            let name = described.columns[0][row].description
            // Partitioned tables repeat their partition columns after a '# Partition' header.
            if name.isEmpty || name.hasPrefix("#") { break }
            let engineType = described.columns[1][row].description
            columns.append(RemoteColumn(name: name, type: SparkConnectDatabase.segshType(ofSparkType: engineType), engineType: engineType))
        }
        return columns
    }

    /// The segsh type a Spark SQL type arrives as (see `ArrowColumnBuilder`): TIMESTAMP is
    /// reported as string, though a result whose values are all midnights arrives as dates.
    static func segshType(ofSparkType type: String) -> DataType {
        let t = type.lowercased()
        if ["tinyint", "smallint", "int", "integer", "bigint", "long", "short", "byte"].contains(t) { return .int }
        if ["float", "double", "real"].contains(t) || t.hasPrefix("decimal") || t.hasPrefix("numeric") { return .double }
        if t == "date" { return .date }
        if t == "boolean" { return .bool }
        return .string
    }

    public func write(_ table: Table, to name: RemoteTableName, replace: Bool) throws {
        // One LocalRelation per chunk of about 16 MB, so no message passes the server's
        // 128 MB limit: the first chunk creates (or replaces) the table, the rest append.
        let bytesPerRow = max(1, table.columns.reduce(0) { $0 + ($1.type == .string ? 24 : 8) })
        let rowsPerChunk = max(1, 16_000_000 / bytesPerRow)
        var start = 0
        repeat {
            let end = min(start + rowsPerChunk, table.rowCount)
            let data: [UInt8]
            do {
                data = try ArrowStreamWriter.stream(table, rows: start..<end)
            } catch let error as ArrowError {
                throw RemoteError(error.message)
            }
            var relation = Spark_Connect_Relation()
            relation.localRelation.data = Data(data)
            var operation = Spark_Connect_WriteOperation()
            operation.input = relation
            operation.source = "parquet"
            var target = Spark_Connect_WriteOperation.SaveTable()
            target.tableName = qualified(name)
            target.saveMethod = .saveAsTable
            operation.table = target
            operation.mode = start > 0 ? .append : replace ? .overwrite : .errorIfExists
            var command = Spark_Connect_Command()
            command.writeOperation = operation
            var plan = Spark_Connect_Plan()
            plan.command = command
            try execute(plan, reading: nil)
            start = end
        } while start < table.rowCount
    }

    public func cancel() {
        state.lock()
        let operation = runningOperation
        state.unlock()
        guard let operation else { return }
        var request = Spark_Connect_InterruptRequest()
        request.sessionID = currentSessionID; request.userContext = userContext
        request.clientType = SparkConnectDatabase.clientType
        request.interruptType = .operationID
        request.operationID = operation
        let service = self.service, metadata = self.metadata
        var options = CallOptions.defaults
        options.timeout = callTimeout
        _ = try? blocking(allowCancel: false) { [request, options] in
            try await service.interrupt(request, metadata: metadata, options: options)
        }
    }

    public func close() {
        state.lock()
        let wasClosed = closed
        closed = true
        state.unlock()
        guard !wasClosed else { return }
        var request = Spark_Connect_ReleaseSessionRequest()
        request.sessionID = currentSessionID; request.userContext = userContext
        request.clientType = SparkConnectDatabase.clientType
        let service = self.service, metadata = self.metadata
        var options = CallOptions.defaults
        options.timeout = .seconds(2)
        if !serverVersion.isEmpty {
            _ = try? blocking(allowCancel: false) { [request, options] in try await service.releaseSession(request, metadata: metadata, options: options) }
        }
        client.beginGracefulShutdown()
    }

    // MARK: sessions

    static let clientType = "segsh"

    private var currentSessionID: String {
        state.lock(); defer { state.unlock() }
        return sessionID
    }

    private var userContext: Spark_Connect_UserContext {
        var user = Spark_Connect_UserContext()
        user.userID = url.userID ?? ProcessInfo.processInfo.environment["USER"] ?? "segsh"
        return user
    }

    private var observedServerSession: String? {
        state.lock(); defer { state.unlock() }
        return serverSessionID
    }

    private func observe(serverSession: String) {
        guard !serverSession.isEmpty else { return }
        state.lock(); serverSessionID = serverSession; state.unlock()
    }

    /// Runs `sessionSetup` in a new session.
    private func setUpSession() throws {
        state.lock(); needsSessionSetup = false; functionsCreated = false; state.unlock()
        for statement in sessionSetup { try execute(statement) }
    }

    /// Creates `functions` when `sql` calls one and this session has none yet.
    private func createFunctions(for sql: String) throws {
        guard let functions, sql.contains(functions.marker) else { return }
        state.lock(); let setup = needsSessionSetup; state.unlock()
        if setup { try setUpSession() }
        state.lock(); let created = functionsCreated; state.unlock()
        if created { return }
        for statement in functions.statements { try execute(Self.commandPlan(statement), reading: nil) }
        state.lock(); functionsCreated = true; state.unlock()
    }

    /// Starts a new session after the server lost ours; returns the sentence that says so.
    private func replaceSession() -> String {
        state.lock()
        sessionID = UUID().uuidString.lowercased()
        serverSessionID = nil
        needsSessionSetup = true
        state.unlock()
        return "the Spark Connect server at \(url.address) restarted or the session expired; segsh started a new session (temporary views of the old one are gone): run the statement again"
    }

    private func fetchVersion(timeout: Swift.Duration) throws -> String {
        var request = Spark_Connect_AnalyzePlanRequest()
        request.sessionID = currentSessionID; request.userContext = userContext
        request.clientType = SparkConnectDatabase.clientType
        request.sparkVersion = .init()
        let service = self.service, metadata = self.metadata
        var options = CallOptions.defaults
        options.timeout = timeout
        var lastError: Error?
        // A connection refused at once is tried again a few times (a server that is just
        // starting); a silent host fails at the deadline.
        for attempt in 0..<3 {
            do {
                let response = try blocking(allowCancel: true) { [request, options] in
                    try await service.analyzePlan(request, metadata: metadata, options: options)
                }
                observe(serverSession: response.serverSideSessionID)
                return response.sparkVersion.version
            } catch let error as RPCError where error.code == .unavailable {
                lastError = error
                Thread.sleep(forTimeInterval: 0.3 * Double(attempt + 1))
            } catch let error as RPCError {
                throw remoteError(error, connecting: true)
            }
        }
        throw remoteError(lastError ?? RemoteError("no answer"), connecting: true)
    }

    // MARK: executing

    /// Runs `plan`, feeding every Arrow batch to `reader` (ignored when nil), reattaching a
    /// dropped stream, and releases the execution when it is read.
    private func execute(_ plan: Spark_Connect_Plan, reading reader: ArrowStreamReader?) throws {
        state.lock()
        let setup = needsSessionSetup
        state.unlock()
        if setup { try setUpSession() }
        try Cancellation.check()
        let operation = UUID().uuidString.lowercased()
        var request = Spark_Connect_ExecutePlanRequest()
        request.sessionID = currentSessionID; request.userContext = userContext
        if let observed = observedServerSession { request.clientObservedServerSideSessionID = observed }
        request.operationID = operation
        request.plan = plan
        request.clientType = SparkConnectDatabase.clientType
        var option = Spark_Connect_ExecutePlanRequest.RequestOption()
        option.reattachOptions.reattachable = true
        request.requestOptions = [option]

        let progress = SparkExecution(reader: reader)
        state.lock(); runningOperation = operation; state.unlock()
        defer {
            state.lock(); runningOperation = nil; state.unlock()
            release(operation)
        }
        let service = self.service, metadata = self.metadata
        var options = CallOptions.defaults
        options.timeout = streamTimeout
        var failures = 0
        while true {
            do {
                if progress.started {
                    var reattach = Spark_Connect_ReattachExecuteRequest()
                    reattach.sessionID = currentSessionID; reattach.userContext = userContext
                    if let observed = observedServerSession { reattach.clientObservedServerSideSessionID = observed }
                    reattach.operationID = operation
                    reattach.clientType = SparkConnectDatabase.clientType
                    if let last = progress.lastResponseID { reattach.lastResponseID = last }
                    try blocking(allowCancel: true) { [reattach, options] in
                        try await service.reattachExecute(reattach, metadata: metadata, options: options) { response in
                            for try await message in response.messages { try progress.take(message) }
                        }
                    }
                } else {
                    try blocking(allowCancel: true) { [request, options] in
                        try await service.executePlan(request, metadata: metadata, options: options) { response in
                            for try await message in response.messages { try progress.take(message) }
                        }
                    }
                }
                if let server = progress.serverSessionID { observe(serverSession: server) }
                if progress.complete { return }
                // The server ended the stream before the result was complete (it does so
                // for long queries): reattach; this is not a failure.
                progress.started = true
            } catch let error as ArrowError {
                throw RemoteError(error.message)
            } catch let error as RPCError {
                let transient: [RPCError.Code] = [.unavailable, .deadlineExceeded, .internalError, .unknown]
                let reattachable = transient.contains(error.code)
                    && !SparkConnectDatabase.isSparkError(error)
                if reattachable, failures < maxReattempts, progress.started || error.code == .unavailable {
                    failures += 1
                    Thread.sleep(forTimeInterval: 0.2 * Double(failures))
                    continue
                }
                if failures > 0, reattachable {
                    throw RemoteError("the result stream from \(url.address) dropped and \(failures) attempts to reattach failed: \(firstLine(error.message))", code: "\(error.code)")
                }
                throw remoteError(error, connecting: false)
            }
        }
    }

    /// Errors Spark itself raised (analysis, execution) carry its error class: no retry.
    private static func isSparkError(_ error: RPCError) -> Bool {
        error.message.hasPrefix("[") || error.metadata.contains { $0.key == "errorclass" || $0.key == "errorClass" }
    }

    /// Tells the server the execution's responses can go.
    private func release(_ operation: String) {
        var request = Spark_Connect_ReleaseExecuteRequest()
        request.sessionID = currentSessionID; request.userContext = userContext
        if let observed = observedServerSession { request.clientObservedServerSideSessionID = observed }
        request.operationID = operation
        request.clientType = SparkConnectDatabase.clientType
        request.releaseAll = .init()
        let service = self.service, metadata = self.metadata
        var options = CallOptions.defaults
        options.timeout = .seconds(5)
        _ = try? blocking(allowCancel: false) { [request, options] in
            try await service.releaseExecute(request, metadata: metadata, options: options)
        }
    }

    private func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// One line for the user from a gRPC failure, with Spark's own message.
    private func remoteError(_ error: Error, connecting: Bool) -> RemoteError {
        guard let rpc = error as? RPCError else {
            if let remote = error as? RemoteError { return remote }
            return RemoteError("Spark Connect at \(url.address): \(error)")
        }
        let message = firstLine(rpc.message)
        let errorClass = message.hasPrefix("[") ? message.dropFirst().prefix { $0 != "]" } : nil
        if let errorClass, errorClass.hasPrefix("INVALID_HANDLE.SESSION") {
            return RemoteError(replaceSession() + " (Spark said: \(message))", code: String(errorClass))
        }
        switch rpc.code {
        case .unavailable where connecting || !SparkConnectDatabase.isSparkError(rpc):
            return RemoteError("cannot reach the Spark Connect server at \(url.address): \(message); check that it runs and the host and port are right", code: "unavailable")
        case .deadlineExceeded where connecting:
            return RemoteError("the Spark Connect server at \(url.address) did not answer within \(connectTimeout) (connect timeout); check the host, the port and the network", code: "deadlineExceeded")
        case .deadlineExceeded:
            return RemoteError("Spark did not answer within the deadline: \(message)", code: "deadlineExceeded")
        case .cancelled:
            return RemoteError("the Spark query was cancelled", code: "cancelled")
        case .unauthenticated, .permissionDenied:
            return RemoteError("Spark Connect at \(url.address) refused the credentials: \(message)", code: "\(rpc.code)")
        default:
            if let errorClass, errorClass.hasPrefix("OPERATION_CANCELED") {
                return RemoteError("the Spark query was cancelled", code: String(errorClass))
            }
            return RemoteError("Spark: \(message)", code: errorClass.map(String.init) ?? "\(rpc.code)")
        }
    }

    // MARK: names

    private func quote(_ identifier: String) -> String {
        "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`"
    }

    private func qualified(_ name: RemoteTableName) -> String {
        (name.schema.map { quote($0) + "." } ?? "") + quote(name.table)
    }

    // MARK: blocking on async calls

    /// Runs `operation` to completion on another thread and waits for it. With `allowCancel`,
    /// a Ctrl-C seen through `Cancellation` while waiting sends `Interrupt` for the running
    /// operation (once).
    private func blocking<T: Sendable>(allowCancel: Bool, _ operation: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
            done.signal()
        }
        var interrupted = false
        while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            if allowCancel, !interrupted, Cancellation.isRequested {
                interrupted = true
                DispatchQueue.global().async { [weak self] in self?.cancel() }
            }
        }
        guard let result = box.result else { throw RemoteError("internal: a Spark Connect call ended without a result") }
        return try result.get()
    }
}

/// The result of an async call, handed to the waiting thread (written once, before the
/// semaphore is signalled, read after).
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// What one execution has read so far: where to reattach from and whether the server said
/// the result is complete. Written only by the one stream reading it at a time.
final class SparkExecution: @unchecked Sendable {
    let reader: ArrowStreamReader?
    var lastResponseID: String?
    var serverSessionID: String?
    var complete = false
    var started = false

    init(reader: ArrowStreamReader?) { self.reader = reader }

    func take(_ message: Spark_Connect_ExecutePlanResponse) throws {
        started = true
        if !message.responseID.isEmpty { lastResponseID = message.responseID }
        if !message.serverSideSessionID.isEmpty { serverSessionID = message.serverSideSessionID }
        switch message.responseType {
        case .arrowBatch(let batch)?:
            try batch.data.withUnsafeBytes { try reader?.read($0) }
        case .resultComplete?:
            complete = true
        default:
            break
        }
    }
}
