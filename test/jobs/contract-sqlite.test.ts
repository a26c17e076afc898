import { contractSuite } from './contract';

contractSuite('sqlite');
