extension QueryEngine {
    /// Pages fetched at most per list call, so a misbehaving server cannot loop us forever.
    static let maxPages = 1000

    /// Calls `action` page after page, passing `NextToken` back until the answer has none
    /// (read from `tokenElement`: `NextToken` for Auto Scaling, `nextToken` for EC2).
    func paginate(
        _ action: String,
        _ parameters: QueryParameters,
        tokenElement: String = "NextToken",
        while shouldContinue: () -> Bool = { true },
        page: (XMLNode) throws -> Void
    ) async throws {
        var token: String?
        var seen: Set<String> = []
        for _ in 0..<Self.maxPages {
            var request = parameters
            request.set("NextToken", token)
            let result = try await send(action, request)
            try page(result)
            guard let next = result.string(tokenElement), !next.isEmpty, shouldContinue() else { return }
            guard seen.insert(next).inserted else {
                throw AWSClientError.malformedResponse(service: service.signingName, operation: action, detail: "NextToken repeated; paging stopped")
            }
            token = next
        }
        throw AWSClientError.malformedResponse(service: service.signingName, operation: action, detail: "more than \(Self.maxPages) pages")
    }
}
