import ArgumentParser
import Dispatch

/// The process entry point: runs ``MendDetector`` and waits for it on the main thread.
///
/// Swift's asynchronous `main` ends the main thread with `pthread_exit` once the first task
/// runs. glibc unwinds that thread's stack, and the unwind tables the unwinder binary-searches
/// (about 0.6 MB of `.eh_frame_hdr` and `.eh_frame`) stay resident for the life of the process.
/// The detector runs on every node, so its main thread waits for the command instead.
@main
enum Entry {
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await MendDetector.main()
            finished.signal()
        }
        finished.wait()
    }
}
