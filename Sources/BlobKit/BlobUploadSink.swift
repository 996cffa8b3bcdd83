import HTTPServerKit
import Logging

/// Streams a PUT's body into the store's temporary file as it arrives,
/// publishing it on `finish()` and removing it on `abort()`.
final class BlobUploadSink: RequestBodySink {
    private let writer: BlobWriter
    private let maxBody: Int
    private let report: FailureReport
    private var received = 0

    init(writer: BlobWriter, maxBody: Int, report: FailureReport) {
        self.writer = writer
        self.maxBody = maxBody
        self.report = report
    }

    func receive(_ bytes: UnsafeRawBufferPointer) -> HTTPResponse? {
        received += bytes.count
        if received > maxBody {
            writer.abort()
            return .text(413, "blob larger than \(maxBody) bytes")
        }
        do {
            try writer.write(bytes)
            return nil
        } catch {
            writer.abort()
            return BlobService.response(for: error, report: report, otherwise: .text(500, "internal error"))
        }
    }

    func finish() -> HTTPResponse {
        do {
            try writer.commit()
            return HTTPResponse(status: 200)
        } catch {
            return BlobService.response(for: error, report: report, otherwise: .text(500, "internal error"))
        }
    }

    func abort() {
        writer.abort()
    }
}
