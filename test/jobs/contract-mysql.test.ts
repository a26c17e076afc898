import { contractSuite } from './contract';

contractSuite('mysql');
