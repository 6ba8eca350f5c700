// Starts kinesalite (in memory) on 127.0.0.1 and prints "READY <port>" once it listens.
// Its command line listens on every interface and has no host option, hence this script.
// Arguments: port (0 = any free port), milliseconds a CreateStream takes (the stream is CREATING until then).
// It exits when its standard input closes, so it never outlives the test JVM that started it.
const kinesalite = require('kinesalite');

const port = Number(process.argv[2] || 0);
const createStreamMs = Number(process.argv[3] || 50);
const server = kinesalite({createStreamMs, deleteStreamMs: 50, updateStreamMs: 50, shardLimit: 100});

server.listen(port, '127.0.0.1', () => {
  console.log('READY ' + server.address().port);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
