import { contractSuite } from './contract';

contractSuite('redis');
