import { Service } from 'stryke';
import { BService } from './b_service';

@Service()
export class AService {
  constructor(readonly b: BService) {}
}
