import AsyncHTTPClient; import NIOSSL; import Yams; import Logging
