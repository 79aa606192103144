'use strict';
// tec-prisma as a library: the same operations as the command line.

module.exports = {
	...require('./setup'),
	...require('./generate'),
	...require('./migrate'),
	...require('./dotenv'),
};
