import AsyncHTTPClient; import Crypto; import Metrics
