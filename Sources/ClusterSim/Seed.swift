import NIOPosix; import NIOHTTP1; import NIOSSL; import X509; import Yams; import Crypto
